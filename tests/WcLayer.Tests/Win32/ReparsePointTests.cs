using System.Buffers.Binary;
using CsCheck;
using WcLayer.Win32;

namespace WcLayer.Tests.Win32;

public class ReparsePointTests
{
    public static TheoryData<string, bool, string> Vectors => new()
    {
        { @"foo\bar", false, "0c0000a02c00000000000e0010000e000100000066006f006f005c00620061007200000066006f006f005c006200610072000000" },
        { @"C:\foo", false, "0c0000a0300000000000140016000c00000000005c003f003f005c0043003a005c0066006f006f00000043003a005c0066006f006f000000" },
        { @"C:\foo", true, "030000a02c0000000000140016000c005c003f003f005c0043003a005c0066006f006f00000043003a005c0066006f006f000000" },
        { @"\\server\share", false, "0c0000a054000000000028002a001c00000000005c003f003f005c0055004e0043005c007300650072007600650072005c007300680061007200650000005c005c007300650072007600650072005c00730068006100720065000000" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void CreateMatchesGoWinioBytes(string target, bool isMountPoint, string hex)
    {
        ReparsePoint rp = ReparsePoint.Create(target, isMountPoint);
        Assert.Equal(hex, Convert.ToHexStringLower(rp.Buffer.Span));
        Assert.Equal(target, rp.Target);
        Assert.Equal(isMountPoint, rp.IsMountPoint);
        Assert.Equal(!isMountPoint, rp.IsSymbolicLink);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void DecodeReadsGoWinioBytes(string target, bool isMountPoint, string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        ReparsePoint rp = ReparsePoint.Decode(bytes);
        Assert.Equal(target, rp.Target);
        Assert.Equal(isMountPoint, rp.IsMountPoint);
        Assert.Equal(target == @"foo\bar", rp.IsRelative);
        Assert.Equal(bytes, rp.Buffer.ToArray());
    }

    [Theory]
    [InlineData(@"\\?\C:\x", @"\??\C:\x", false)]
    [InlineData(@"\\server\share\dir", @"\??\UNC\server\share\dir", false)]
    [InlineData(@"z:rel", @"\??\z:rel", false)]
    [InlineData(@"\rooted", @"\rooted", true)]
    [InlineData(@"..\up", @"..\up", true)]
    [InlineData(@"1:notadrive", @"1:notadrive", true)]
    [InlineData("", "", true)]
    public void CreateComputesNtSubstituteName(string target, string substitute, bool relative)
    {
        ReparsePoint symlink = ReparsePoint.Create(target, isMountPoint: false);
        Assert.Equal(substitute, symlink.SubstituteName);
        Assert.Equal(relative, symlink.IsRelative);
        Assert.Equal(relative ? 1u : 0u, BinaryPrimitives.ReadUInt32LittleEndian(symlink.Buffer.Span[16..]));

        ReparsePoint mountPoint = ReparsePoint.Create(target, isMountPoint: true);
        Assert.Equal(substitute, mountPoint.SubstituteName);
        Assert.False(mountPoint.IsRelative);
    }

    [Fact]
    public void CreateRejectsTargetTooLongForReparseDataLength() =>
        Assert.Throws<ArgumentException>(() => ReparsePoint.Create(new string('a', 20000), isMountPoint: false));

    [Fact]
    public void DecodeOfEncodeRoundTrips()
    {
        Gen<string> body = Gen.Char[@"ab\:?. é日"].Array[0, 40]
            .Select(chars => new string(chars));
        Gen<string> target = Gen.Select(Gen.OneOf("", @"\\?\", @"\\", "C:", "c:\\", @"\", ".."), body, string.Concat);
        Gen.Select(target, Gen.Bool).Sample((t, isMountPoint) =>
        {
            ReparsePoint created = ReparsePoint.Create(t, isMountPoint);
            ReparsePoint decoded = ReparsePoint.Decode(created.Buffer.Span);
            Assert.Equal(t, decoded.Target);
            Assert.Equal(created.SubstituteName, decoded.SubstituteName);
            Assert.Equal(isMountPoint, decoded.IsMountPoint);
            Assert.Equal(created.IsRelative, decoded.IsRelative);
            Assert.Equal(created.Buffer.ToArray(), decoded.Buffer.ToArray());
        }, iter: 2000);
    }

    [Fact]
    public void OtherMicrosoftTagIsKeptRaw()
    {
        byte[] bytes = Convert.FromHexString("070000a0" + "0600" + "0000" + "010203040506");
        ReparsePoint rp = ReparsePoint.Decode(bytes);
        Assert.Equal(0xA0000007u, rp.Tag);
        Assert.Null(rp.Target);
        Assert.Null(rp.SubstituteName);
        Assert.False(rp.IsMountPoint);
        Assert.False(rp.IsSymbolicLink);
        Assert.False(rp.IsRelative);
        Assert.Equal(bytes, rp.Buffer.ToArray());
    }

    [Fact]
    public void NonMicrosoftTagHasGuidHeader()
    {
        // Bit 31 clear: REPARSE_GUID_DATA_BUFFER, whose ReparseDataLength counts bytes after the GUID.
        byte[] bytes = Convert.FromHexString("42000000" + "0200" + "0000" + "00112233445566778899aabbccddeeff" + "abcd");
        ReparsePoint rp = ReparsePoint.Decode(bytes);
        Assert.Equal(0x42u, rp.Tag);
        Assert.Null(rp.Target);
        Assert.Equal(bytes, rp.Buffer.ToArray());
        Assert.Throws<InvalidDataException>(() => ReparsePoint.Decode(bytes.AsSpan(0, 23)));
    }

    public static TheoryData<string> ValidBuffers()
    {
        var data = new TheoryData<string>();
        foreach (object[] row in Vectors)
        {
            data.Add((string)row[2]);
        }

        data.Add("070000a0" + "0600" + "0000" + "010203040506");
        data.Add("42000000" + "0200" + "0000" + "00112233445566778899aabbccddeeff" + "abcd");
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidBuffers))]
    public void EveryTruncationIsInvalidData(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => ReparsePoint.Decode(bytes.AsSpan(0, length)));
        }
    }

    [Theory]
    [MemberData(nameof(ValidBuffers))]
    public void TrailingByteIsInvalidData(string hex)
    {
        byte[] bytes = [.. Convert.FromHexString(hex), 0];
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ReparsePoint.Decode(bytes));
        Assert.Contains("ReparseDataLength", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReparseDataLengthLargerThanBufferIsInvalidData()
    {
        byte[] bytes = ReparsePoint.Create(@"C:\foo", false).Buffer.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), (ushort)(bytes.Length - 7));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ReparsePoint.Decode(bytes));
        Assert.Contains("offset 4", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, 0x1000, "substitute name")]  // SubstituteNameOffset far outside
    [InlineData(10, 0x1000, "substitute name")] // SubstituteNameLength far outside
    [InlineData(12, 0x1000, "print name")]      // PrintNameOffset
    [InlineData(14, 0x1000, "print name")]      // PrintNameLength
    [InlineData(14, 0x0e, "print name")]        // PrintNameLength one character past the end
    [InlineData(10, 0x13, "even")]              // odd SubstituteNameLength
    [InlineData(12, 0x15, "even")]              // odd PrintNameOffset
    public void NameOutsidePathBufferIsInvalidData(int field, int value, string expected)
    {
        // Symlink "C:\foo": the path buffer is 42 bytes; the print name sits at 22 with length 12.
        byte[] bytes = ReparsePoint.Create(@"C:\foo", false).Buffer.ToArray();
        if (field == 14 && value == 0x0e)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(12), 30);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(field), (ushort)value);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ReparsePoint.Decode(bytes));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SymlinkWithoutFlagsFieldIsInvalidData()
    {
        // A symlink needs 12 bytes of fixed fields; 8 is only enough for a mount point.
        byte[] bytes = Convert.FromHexString("0c0000a0" + "0800" + "0000" + "0000000000000000");
        Assert.Throws<InvalidDataException>(() => ReparsePoint.Decode(bytes));
        bytes[0] = 0x03;
        ReparsePoint mountPoint = ReparsePoint.Decode(bytes);
        Assert.Equal("", mountPoint.Target);
        Assert.Equal("", mountPoint.SubstituteName);
    }

    [Fact]
    public void RandomBytesOnlyThrowInvalidData()
    {
        Gen.Byte.Array[0, 64].Sample(bytes => DecodeOrInvalidData(bytes), iter: 5000);

        // Random bodies behind a plausible header reach the name checks far more often.
        Gen<byte[]> plausible = Gen.Select(Gen.OneOf(ReparsePoint.SymbolicLinkTag, ReparsePoint.MountPointTag, 0xA0000007u, 0x90001018u, 0x42u), Gen.Byte.Array[0, 48], (tag, body) =>
        {
            byte[] bytes = new byte[8 + body.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), (ushort)body.Length);
            for (int i = 0; i < body.Length; i++)
            {
                // Small name offsets and lengths, so some land inside the buffer.
                bytes[8 + i] = i < 8 ? (byte)(body[i] % 32) : body[i];
            }

            return bytes;
        });
        plausible.Sample(bytes => DecodeOrInvalidData(bytes), iter: 5000);
    }

    private static void DecodeOrInvalidData(byte[] bytes)
    {
        try
        {
            ReparsePoint rp = ReparsePoint.Decode(bytes);
            Assert.Equal(bytes, rp.Buffer.ToArray());
        }
        catch (InvalidDataException)
        {
        }
    }
}
