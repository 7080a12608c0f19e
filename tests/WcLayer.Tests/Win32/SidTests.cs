using WcLayer.Win32;

namespace WcLayer.Tests.Win32;

public class SidTests
{
    [Theory]
    [InlineData("S-1-0-0", "010100000000000000000000")]
    [InlineData("S-1-1-0", "010100000000000100000000")]
    [InlineData("S-1-5-18", "010100000000000512000000")]
    [InlineData("S-1-5-32-544", "01020000000000052000000020020000")]
    [InlineData("S-1-5-21-1004336348-1177238915-682003330-500", "010500000000000515000000dcf4dc3b833d2b46828ba628f4010000")]
    [InlineData("S-1-15-2-1", "010200000000000f0200000001000000")]
    [InlineData("S-1-16-12288", "010100000000001000300000")]
    [InlineData("S-1-5", "0100000000000005")]
    [InlineData("S-1-0x123456789abc-7", "0101123456789abc07000000")]
    [InlineData("S-1-4294967295-1", "01010000ffffffff01000000")]
    public void StringAndBinaryFormsRoundTrip(string text, string hex)
    {
        var sid = Sid.Parse(text);
        byte[] binary = sid.ToBinary();
        Sid decoded = Sid.FromBinary(binary);
        Assert.Equal(text, decoded.ToString());
        Assert.Equal(sid, decoded);
        Assert.Equal(hex, Convert.ToHexStringLower(binary));
    }

    [Fact]
    public void AuthorityOfTwoToThe32IsPrintedAsTwelveHexDigits()
    {
        var sid = new Sid(1L << 32, 1);
        Assert.Equal("S-1-0x000100000000-1", sid.ToString());
        Assert.Equal(sid, Sid.Parse("S-1-0x000100000000-1"));
        Assert.Equal("S-1-4294967295", new Sid(uint.MaxValue).ToString());
    }

    [Fact]
    public void HexAuthorityBelowTwoToThe32IsPrintedInDecimal() =>
        Assert.Equal("S-1-5-18", Sid.Parse("S-1-0x5-18").ToString());

    [Theory]
    [InlineData("")]
    [InlineData("S-")]
    [InlineData("S-2-5-18")]
    [InlineData("S-1-")]
    [InlineData("S-1-5-")]
    [InlineData("S-1-5-4294967296")]
    [InlineData("S-1-281474976710656")]
    [InlineData("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16")]
    [InlineData("S-1-5-18x")]
    [InlineData("BA")]
    public void InvalidStringsAreFormatErrors(string text) =>
        Assert.Throws<FormatException>(() => Sid.Parse(text));

    [Theory]
    [InlineData("0101000000000005")]
    [InlineData("020100000000000512000000")]
    [InlineData("011000000000000512000000")]
    [InlineData("01")]
    public void InvalidBinaryIsInvalidData(string hex) =>
        Assert.Throws<InvalidDataException>(() => Sid.FromBinary(Convert.FromHexString(hex)));

    [Fact]
    public void FifteenSubAuthoritiesIsTheMaximum()
    {
        var sid = new Sid(5, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
        Assert.Equal(68, sid.BinaryLength);
        Assert.Equal(sid, Sid.FromBinary(sid.ToBinary()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sid(5, new uint[16]));
    }
}
