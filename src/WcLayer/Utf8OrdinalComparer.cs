namespace WcLayer;

/// <summary>
/// Orders strings by their UTF-8 bytes, as Go's <c>sort.Strings</c> does. <see cref="string.CompareOrdinal(string, string)"/>
/// compares UTF-16 code units, which orders U+E000–U+FFFF after supplementary characters; Go and this comparer do not.
/// </summary>
internal sealed class Utf8OrdinalComparer : IComparer<string>
{
    public static readonly Utf8OrdinalComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        int length = Math.Min(x.Length, y.Length);
        for (int i = 0; i < length; i++)
        {
            char a = x[i];
            char b = y[i];
            if (a == b)
            {
                continue;
            }

            // Below the surrogate range, and when both are surrogates, UTF-16 order equals UTF-8 order.
            bool aSurrogate = char.IsSurrogate(a);
            bool bSurrogate = char.IsSurrogate(b);
            if (aSurrogate == bSurrogate || (a < 0xD800 && b < 0xD800))
            {
                return a.CompareTo(b);
            }

            // A surrogate (code point ≥ U+10000) sorts after any BMP character in UTF-8.
            return aSurrogate ? 1 : -1;
        }

        return x.Length.CompareTo(y.Length);
    }
}
