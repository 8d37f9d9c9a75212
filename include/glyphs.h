/*
 * glyphs — a 5×7 bitmap font for the names drawn into pictures (plot's
 * labels): letters (lower case drawn as capitals), digits, space and
 * - _ . ( ) /; any other printable character is drawn as a box.
 *
 * Threads: any (pure functions of constant tables).
 */
#ifndef TERRAIND_GLYPHS_H
#define TERRAIND_GLYPHS_H

enum { GLYPH_WIDTH = 5, GLYPH_HEIGHT = 7, GLYPH_ADVANCE = 6 };

/* Row `row` (0 at the top) of character c: bit 4 is the leftmost pixel. */
unsigned glyph_row(char c, int row);

/* Width in pixels of `text` drawn at `scale` (no trailing gap). */
int glyph_text_width(const char *text, int scale);

#endif
