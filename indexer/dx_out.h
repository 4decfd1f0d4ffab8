/*
 * dx_out.h — writing names that come from the file system (document ids,
 * paths, messages that quote them) to a terminal, a log or a JSON reader.
 *
 * Where it sits: used by diarium-index (main.c) for everything it prints
 * that may hold a file name. A file name is any bytes but '/' and NUL: an
 * ESC in one would reach the terminal raw (and could recolour or rewrite
 * it), and one that is not UTF-8 would make a JSON line invalid. The text
 * form writes each control character (U+0000-U+001F, U+007F, U+0080-U+009F)
 * and each byte that is not part of valid UTF-8 as \xHH, as diarium-query
 * does for document ids; the JSON form escapes control characters as
 * \u00XX and writes U+FFFD for bytes that are not UTF-8, so that the line
 * is always valid JSON.
 */
#ifndef DIARIUM_DX_OUT_H
#define DIARIUM_DX_OUT_H

#include <stdio.h>

/* Writes the string s to f, control characters and bytes that are not
 * UTF-8 as \xHH (a newline too: one message stays one line). */
void dx_out_text(FILE *f, const char *s);

/* Writes the string s to f as a JSON string, quotes included. */
void dx_out_json(FILE *f, const char *s);

#endif /* DIARIUM_DX_OUT_H */
