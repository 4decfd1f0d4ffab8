typedef int dq_placeholder;
