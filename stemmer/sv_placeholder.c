typedef int sv_placeholder;
