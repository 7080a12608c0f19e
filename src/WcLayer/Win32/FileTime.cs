namespace WcLayer.Win32;

/// <summary>
/// Conversions between Win32 FILETIME values (100-nanosecond intervals since 1601-01-01 UTC, as a signed 64-bit
/// count) and .NET and Unix times.
/// </summary>
public static class FileTime
{
    /// <summary>FILETIME of the Unix epoch (1970-01-01 UTC).</summary>
    public const long UnixEpoch = 116_444_736_000_000_000;

    /// <summary>.NET ticks (since 0001-01-01) of the FILETIME epoch (1601-01-01 UTC).</summary>
    private const long FileTimeEpochInDotNetTicks = 504_911_232_000_000_000;

    /// <summary>Converts a <see cref="DateTimeOffset"/> to FILETIME ticks.</summary>
    /// <param name="value">A time at or after 1601-01-01 UTC.</param>
    /// <returns>The FILETIME value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is before 1601.</exception>
    public static long FromDateTimeOffset(DateTimeOffset value)
    {
        long ticks = value.UtcTicks - FileTimeEpochInDotNetTicks;
        ArgumentOutOfRangeException.ThrowIfNegative(ticks, nameof(value));
        return ticks;
    }

    /// <summary>Converts a <see cref="DateTime"/> (local times are converted to UTC) to FILETIME ticks.</summary>
    /// <param name="value">A time at or after 1601-01-01 UTC.</param>
    /// <returns>The FILETIME value.</returns>
    public static long FromDateTime(DateTime value) =>
        FromDateTimeOffset(value.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc))
            : new DateTimeOffset(value));

    /// <summary>Converts FILETIME ticks to a UTC <see cref="DateTimeOffset"/>.</summary>
    /// <param name="fileTime">A non-negative FILETIME value no later than 9999-12-31.</param>
    /// <returns>The time in UTC.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or past year 9999.</exception>
    public static DateTimeOffset ToDateTimeOffset(long fileTime)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileTime);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fileTime, DateTimeOffset.MaxValue.UtcTicks - FileTimeEpochInDotNetTicks);
        return new DateTimeOffset(fileTime + FileTimeEpochInDotNetTicks, TimeSpan.Zero);
    }

    /// <summary>Converts FILETIME ticks to a UTC <see cref="DateTime"/>.</summary>
    /// <param name="fileTime">A non-negative FILETIME value no later than 9999-12-31.</param>
    /// <returns>The time, of kind <see cref="DateTimeKind.Utc"/>.</returns>
    public static DateTime ToDateTime(long fileTime) => ToDateTimeOffset(fileTime).UtcDateTime;

    /// <summary>Like <see cref="ToDateTimeOffset"/>, but 0 ("not set") and unrepresentable values give <see langword="null"/>.</summary>
    /// <param name="fileTime">The FILETIME value.</param>
    /// <returns>The time, or <see langword="null"/>.</returns>
    public static DateTimeOffset? ToDateTimeOffsetOrNull(long fileTime) =>
        fileTime <= 0 || fileTime > DateTimeOffset.MaxValue.UtcTicks - FileTimeEpochInDotNetTicks
            ? null
            : new DateTimeOffset(fileTime + FileTimeEpochInDotNetTicks, TimeSpan.Zero);

    /// <summary>Converts FILETIME ticks to nanoseconds since the Unix epoch (exact; 128-bit, so no overflow).</summary>
    /// <param name="fileTime">The FILETIME value.</param>
    /// <returns>Nanoseconds since 1970-01-01 UTC.</returns>
    public static Int128 ToUnixNanoseconds(long fileTime) => ((Int128)fileTime - UnixEpoch) * 100;

    /// <summary>
    /// Converts nanoseconds since the Unix epoch to FILETIME ticks, dividing by 100 with truncation toward zero as
    /// go-winio does.
    /// </summary>
    /// <param name="unixNanoseconds">Nanoseconds since 1970-01-01 UTC.</param>
    /// <returns>The FILETIME value.</returns>
    /// <exception cref="OverflowException">The result does not fit in 64 bits.</exception>
    public static long FromUnixNanoseconds(Int128 unixNanoseconds) => checked((long)(unixNanoseconds / 100 + UnixEpoch));
}
