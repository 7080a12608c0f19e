using System.Globalization;
using CsCheck;
using WcLayer.Oci;
using WcLayer.Win32;

namespace WcLayer.Tests.Oci;

public class PaxTimeTests
{
    private static Int128 Ns(long seconds, long nanoseconds) => (Int128)seconds * 1_000_000_000 + nanoseconds;

    [Theory]
    [InlineData("1.5", 1, 500_000_000)]
    [InlineData("0", 0, 0)]
    [InlineData("-1.25", -1, -250_000_000)]
    [InlineData("-0.5", 0, -500_000_000)]
    [InlineData("1700000000.123456789", 1700000000, 123456789)]
    [InlineData("1700000000.1234567891", 1700000000, 123456789)] // 10 digits: truncated to 9
    [InlineData("1.5000000", 1, 500_000_000)] // BuildKit's unpadded 5 ms reads as 0.5 s, exactly as go-winio
    [InlineData("-11644473600", -11644473600, 0)]
    public void ParsesAsGo(string text, long seconds, long nanoseconds)
    {
        Assert.True(PaxTime.TryParse(text, out Int128 ns));
        Assert.Equal(Ns(seconds, nanoseconds), ns);
    }

    [Theory]
    [InlineData("1.x")]
    [InlineData("")]
    [InlineData(".5")]
    [InlineData("1.-5")]
    [InlineData("+1")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999")]
    public void RejectsInvalid(string text) => Assert.False(PaxTime.TryParse(text, out _));

    [Theory]
    [InlineData(1, 500_000_000, "1.5")]
    [InlineData(0, 0, "0")]
    [InlineData(-1, -250_000_000, "-1.25")]
    [InlineData(-1, 500_000_000, "-0.5")]
    [InlineData(1700000000, 100, "1700000000.0000001")]
    [InlineData(-11644473600, 0, "-11644473600")]
    public void FormatsAsGo(long seconds, long nanoseconds, string expected) =>
        Assert.Equal(expected, PaxTime.Format(Ns(seconds, nanoseconds)));

    [Fact]
    public void EveryFileTimeRoundTripsExactly() =>
        Gen.Long[0, long.MaxValue].Sample(ft =>
        {
            Assert.True(PaxTime.TryParseFileTime(PaxTime.FormatFileTime(ft), out long back));
            Assert.Equal(ft, back);
        }, iter: 2000);

    [Fact]
    public void FormatThenParseIsIdentityForNanoseconds() =>
        Gen.Long[long.MinValue / 4, long.MaxValue / 4].Sample(ns =>
        {
            string text = PaxTime.Format(ns);
            Assert.True(PaxTime.TryParse(text, out Int128 back), text);
            Assert.Equal((Int128)ns, back);
        }, iter: 2000);

    [Fact]
    public void FileTimeOfUnixEpochIsZero()
    {
        Assert.Equal("0", PaxTime.FormatFileTime(FileTime.UnixEpoch));
        Assert.True(PaxTime.TryParseFileTime("1577934245.1234567", out long ft));
        Assert.Equal(132224078451234567, ft);
        Assert.Equal("1577934245.1234567", PaxTime.FormatFileTime(ft));
        _ = CultureInfo.InvariantCulture;
    }
}
