/* Sorting and medians of measured values, one comparator for all: the
 * measurements, diff's values and fleet's outliers order numbers alike. */
#ifndef LATDOC_DOUBLES_H
#define LATDOC_DOUBLES_H

#include <stddef.h>

/* Sorts the N values of V, smallest first. */
void doubles_sort(double *v, size_t n);

/* The median of the N values of V (sorted in place: the mean of the two
 * middle ones for an even N); NaN for none. */
double doubles_median(double *v, size_t n);

#endif
