using System.Buffers.Binary;
using System.Text;
using CsCheck;
using WcLayer.Win32;

namespace WcLayer.Tests.Win32;

public class ExtendedAttributeListTests
{
    private const string GoWinioVector =
        "10000000" + "00" + "03" + "0300" + "666f6f00" + "626172" + "00" +
        "00000000" + "00" + "04" + "0400" + "66697a7a00" + "62757a7a" + "000000";

    private static readonly ExtendedAttribute[] GoWinioList =
    [
        new("foo", "bar"u8.ToArray()),
        new("fizz", "buzz"u8.ToArray()),
    ];

    [Fact]
    public void EncodeMatchesGoWinio()
    {
        byte[] bytes = ExtendedAttributeList.Encode(GoWinioList);
        Assert.Equal(36, bytes.Length);
        Assert.Equal(GoWinioVector, Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void DecodeMatchesGoWinio() =>
        Assert.Equal(GoWinioList, ExtendedAttributeList.Decode(Convert.FromHexString(GoWinioVector)));

    [Fact]
    public void DecodeWithoutFinalPadding() =>
        Assert.Equal(GoWinioList, ExtendedAttributeList.Decode(Convert.FromHexString(GoWinioVector).AsSpan(0, 33)));

    [Fact]
    public void DecodeTruncatedInsideSecondEntryFails()
    {
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ExtendedAttributeList.Decode(Convert.FromHexString(GoWinioVector).AsSpan(0, 20)));
        Assert.StartsWith("invalid extended attribute buffer", e.Message, StringComparison.Ordinal);
        Assert.Contains("offset 16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryTruncationBeforeTheLastValueByteFails()
    {
        byte[] bytes = Convert.FromHexString(GoWinioVector);
        for (int length = 1; length < 33; length++)
        {
            Assert.Throws<InvalidDataException>(() => ExtendedAttributeList.Decode(bytes.AsSpan(0, length)));
        }
    }

    [Fact]
    public void EmptyListIsEmptyBytes()
    {
        Assert.Empty(ExtendedAttributeList.Encode([]));
        Assert.Empty(ExtendedAttributeList.Decode([]));
    }

    [Fact]
    public void NameOf256BytesIsTooLarge()
    {
        Assert.NotEmpty(ExtendedAttributeList.Encode([new ExtendedAttribute(new string('n', 255), Array.Empty<byte>())]));
        ArgumentException e = Assert.Throws<ArgumentException>(() => ExtendedAttributeList.Encode([new ExtendedAttribute(new string('n', 256), Array.Empty<byte>())]));
        Assert.StartsWith("extended attribute name too large", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValueOf65536BytesIsTooLarge()
    {
        Assert.NotEmpty(ExtendedAttributeList.Encode([new ExtendedAttribute("v", new byte[65535])]));
        ArgumentException e = Assert.Throws<ArgumentException>(() => ExtendedAttributeList.Encode([new ExtendedAttribute("v", new byte[65536])]));
        Assert.StartsWith("extended attribute value too large", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlagsArePreserved()
    {
        ExtendedAttribute[] list = [new("A", new byte[] { 1 }, 0x80), new("B", Array.Empty<byte>(), 0x01)];
        byte[] bytes = ExtendedAttributeList.Encode(list);
        Assert.Equal(0x80, bytes[4]);
        Assert.Equal(list, ExtendedAttributeList.Decode(bytes));
    }

    [Fact]
    public void NextEntryOffsetPastTheEndFails()
    {
        byte[] bytes = Convert.FromHexString(GoWinioVector);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 37);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ExtendedAttributeList.Decode(bytes));
        Assert.Contains("offset 0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(14u)]
    public void NextEntryOffsetInsideTheEntryFails(uint next)
    {
        byte[] bytes = Convert.FromHexString(GoWinioVector);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, next);
        Assert.Throws<InvalidDataException>(() => ExtendedAttributeList.Decode(bytes));
    }

    [Fact]
    public void UnpaddedButNonOverlappingNextEntryOffsetIsAccepted()
    {
        // go-winio follows NextEntryOffset wherever it points; an unpadded 15 is still after the first entry.
        byte[] encoded = Convert.FromHexString(GoWinioVector);
        byte[] bytes = [.. encoded.AsSpan(0, 15), .. encoded.AsSpan(16)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 15);
        Assert.Equal(GoWinioList, ExtendedAttributeList.Decode(bytes));
    }

    [Fact]
    public void RoundTrips()
    {
        Gen<ExtendedAttribute> attribute = Gen.Select(
            Gen.Char['!', '~'].Array[0, 40].Select(chars => new string(chars)),
            Gen.Byte.Array[0, 70],
            Gen.Byte,
            (name, value, flags) => new ExtendedAttribute(name, value, flags));
        attribute.Array[0, 6].Sample(list =>
        {
            byte[] bytes = ExtendedAttributeList.Encode(list);
            Assert.Equal(0, bytes.Length % 4);
            Assert.Equal(list, ExtendedAttributeList.Decode(bytes));
        }, iter: 2000);
    }

    [Fact]
    public void NonAsciiNameIsUtf8()
    {
        byte[] bytes = ExtendedAttributeList.Encode([new ExtendedAttribute("é", Array.Empty<byte>())]);
        Assert.Equal(2, bytes[5]);
        Assert.Equal(Encoding.UTF8.GetBytes("é"), bytes[8..10]);
        Assert.Equal("é", ExtendedAttributeList.Decode(bytes)[0].Name);
    }

    [Fact]
    public void RandomBytesOnlyThrowInvalidData()
    {
        Gen.Byte.Array[0, 80].Sample(bytes =>
        {
            // Small NextEntryOffset and lengths make multi-entry walks likely.
            for (int i = 0; i + 8 <= bytes.Length; i += 8)
            {
                bytes[i + 1] = bytes[i + 2] = bytes[i + 3] = 0;
                bytes[i] %= 40;
                bytes[i + 5] %= 16;
                bytes[i + 7] = 0;
                bytes[i + 6] %= 16;
            }

            try
            {
                _ = ExtendedAttributeList.Decode(bytes);
            }
            catch (InvalidDataException)
            {
            }
        }, iter: 5000);
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            try
            {
                _ = ExtendedAttributeList.Decode(bytes);
            }
            catch (InvalidDataException)
            {
            }
        }, iter: 5000);
    }
}
