typedef int dx_placeholder;
