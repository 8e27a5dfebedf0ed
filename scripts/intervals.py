# The 95% interval the project reports for a proportion of n images: the Wilson score interval.
# Used by scripts/loc_table.sh, scripts/explore/ and the method table; one copy, so every table agrees.
import math


def wilson(k, n, z=1.96):
    """(low, high) of the proportion k/n."""
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return centre - half, centre + half


def percent_with_interval(k, n):
    """'34.6% (31-39)': the proportion and its 95% interval, in percent."""
    low, high = wilson(k, n)
    return f"{100 * k / n:.1f}% ({100 * low:.0f}-{100 * high:.0f})"
