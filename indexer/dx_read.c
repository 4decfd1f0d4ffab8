typedef int dx_read_placeholder;
