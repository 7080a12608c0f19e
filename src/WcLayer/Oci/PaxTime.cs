using System.Globalization;
using WcLayer.Win32;

namespace WcLayer.Oci;

/// <summary>
/// PAX time strings (<c>secs[.frac]</c>) with exactly the parse and format rules of Go's archive/tar, which go-winio
/// also applies to <c>LIBARCHIVE.creationtime</c>. Times are nanoseconds since the Unix epoch.
/// </summary>
internal static class PaxTime
{
    private const long NanosecondsPerSecond = 1_000_000_000;
    private const int MaxFractionDigits = 9;

    /// <summary>
    /// Parses <c>S[.F]</c>. The fraction is right-padded or truncated to 9 digits (so BuildKit's unpadded
    /// <c>1.5000000</c> for 5 ms reads as 0.5 s, exactly as go-winio reads it); a leading <c>-</c> makes it negative.
    /// </summary>
    public static bool TryParse(string text, out Int128 unixNanoseconds)
    {
        unixNanoseconds = 0;
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        string secondsPart = dot < 0 ? text : text[..dot];
        if (secondsPart.Length == 0
            || !long.TryParse(secondsPart, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds)
            || secondsPart[0] == '+')
        {
            return false;
        }

        long nanoseconds = 0;
        if (dot >= 0)
        {
            string fraction = text[(dot + 1)..];
            foreach (char c in fraction)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }
            }

            fraction = fraction.Length < MaxFractionDigits
                ? fraction.PadRight(MaxFractionDigits, '0')
                : fraction[..MaxFractionDigits];
            nanoseconds = long.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture);
            if (secondsPart[0] == '-')
            {
                nanoseconds = -nanoseconds;
            }
        }

        unixNanoseconds = (Int128)seconds * NanosecondsPerSecond + nanoseconds;
        return true;
    }

    /// <summary>Formats as Go's <c>formatPAXTime</c>: whole seconds alone, else 9 fraction digits with trailing zeros trimmed.</summary>
    public static string Format(Int128 unixNanoseconds)
    {
        // Floor division, so the fraction is always in [0, 1 s) as in Go's time.Time.
        Int128 seconds = unixNanoseconds / NanosecondsPerSecond;
        long nanoseconds = (long)(unixNanoseconds % NanosecondsPerSecond);
        if (nanoseconds < 0)
        {
            seconds -= 1;
            nanoseconds += NanosecondsPerSecond;
        }

        if (nanoseconds == 0)
        {
            return seconds.ToString(CultureInfo.InvariantCulture);
        }

        string sign = string.Empty;
        if (seconds < 0)
        {
            sign = "-";
            seconds = -(seconds + 1);
            nanoseconds = NanosecondsPerSecond - nanoseconds;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{sign}{seconds}.{nanoseconds:D9}").TrimEnd('0');
    }

    public static string FormatFileTime(long fileTime) => Format(FileTime.ToUnixNanoseconds(fileTime));

    /// <summary>Parses a PAX time and converts it to FILETIME ticks (truncating below 100 ns as go-winio does).</summary>
    public static bool TryParseFileTime(string text, out long fileTime)
    {
        fileTime = 0;
        if (!TryParse(text, out Int128 ns))
        {
            return false;
        }

        Int128 ticks = ns / 100 + FileTime.UnixEpoch;
        if (ticks < long.MinValue || ticks > long.MaxValue)
        {
            return false;
        }

        fileTime = (long)ticks;
        return true;
    }
}
