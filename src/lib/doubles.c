#include "doubles.h"

#include <math.h>
#include <stdlib.h>

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void doubles_sort(double *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), by_value);
}

double doubles_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	doubles_sort(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
