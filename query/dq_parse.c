typedef int dq_parse_placeholder;
