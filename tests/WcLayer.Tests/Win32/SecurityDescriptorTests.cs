using WcLayer.Win32;

namespace WcLayer.Tests.Win32;

public class SecurityDescriptorTests
{
    /// <summary>The pairs of /work/shared/spec/sd-vectors.md (SDDL recorded beside the bytes by their authors).</summary>
    public static TheoryData<string, string> Vectors => new()
    {
        {
            "O:BAG:SYD:(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;;FA;;;BA)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)(A;CI;LC;;;BU)(A;CI;DC;;;BU)",
            "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgCoAAcAAAAAAxgA/wEfAAECAAAAAAAFIAAAACACAAAAAxQA/wEfAAEBAAAAAAAFEgAAAAAAGAD/AR8AAQIAAAAAAAUgAAAAIAIAAAALFAAAAAAQAQEAAAAAAAMAAAAAAAMYAKkAEgABAgAAAAAABSAAAAAhAgAAAAIYAAQAAAABAgAAAAAABSAAAAAhAgAAAAIYAAIAAAABAgAAAAAABSAAAAAhAgAA"
        },
        {
            "O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)(A;;0x1200a9;;;BU)",
            "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgBMAAMAAAAAABgA/wEfAAECAAAAAAAFIAAAACACAAAAABQA/wEfAAEBAAAAAAAFEgAAAAAAGACpABIAAQIAAAAAAAUgAAAAIQIAAA=="
        },
        { "O:BUG:BU", "AQAAgBQAAAAkAAAAAAAAAAAAAAABAgAAAAAABSAAAAAhAgAAAQIAAAAAAAUgAAAAIQIAAA==" },
        { "O:BAG:BA", "AQAAgBQAAAAkAAAAAAAAAAAAAAABAgAAAAAABSAAAAAgAgAAAQIAAAAAAAUgAAAAIAIAAA==" },
        {
            // dotnet-on-this-machine.md §3: accepted byte-exact by NTFS; its group decodes to S-1-5-18 (SY) as the SDDL says.
            "O:BAG:SYD:(A;;FA;;;BA)",
            Convert.ToBase64String(Convert.FromHexString(
                "010004801400000024000000000000003000000001020000000000052000000020020000010100000000000512000000020020000100000000001800ff011f0001020000000000052000000020020000"))
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void BinaryPrintsTheRecordedSddl(string sddl, string base64) =>
        Assert.Equal(sddl, SecurityDescriptor.Parse(Convert.FromBase64String(base64)).ToSddl());

    [Theory]
    [MemberData(nameof(Vectors))]
    public void SddlEncodesToTheRecordedBytes(string sddl, string base64) =>
        Assert.Equal(base64, Convert.ToBase64String(SecurityDescriptor.ParseSddl(sddl).ToBinary()));

    [Theory]
    [MemberData(nameof(Vectors))]
    public void BinaryRoundTripIsIdentity(string sddl, string base64)
    {
        _ = sddl;
        byte[] bytes = Convert.FromBase64String(base64);
        Assert.Equal(bytes, SecurityDescriptor.Parse(bytes).ToBinary());
    }

    [Fact]
    public void VectorDecodesToTheExpectedModel()
    {
        var sd = SecurityDescriptor.Parse(Convert.FromBase64String((string)Vectors.First()[1]));
        Assert.Equal(SecurityDescriptorControl.SelfRelative | SecurityDescriptorControl.DaclPresent, sd.Control);
        Assert.Equal("S-1-5-32-544", sd.Owner!.ToString());
        Assert.Equal("S-1-5-18", sd.Group!.ToString());
        Assert.Null(sd.Sacl);
        Assert.Equal(7, sd.Dacl!.Entries.Count);
        Assert.Equal(AccessControlList.RevisionStandard, sd.Dacl.Revision);
        AccessControlEntry creatorOwner = sd.Dacl.Entries[3];
        Assert.Equal(AceType.AccessAllowed, creatorOwner.Type);
        Assert.Equal(AceFlags.ObjectInherit | AceFlags.ContainerInherit | AceFlags.InheritOnly, creatorOwner.Flags);
        Assert.Equal(0x10000000u, creatorOwner.AccessMask);
        Assert.Equal("S-1-3-0", creatorOwner.Sid!.ToString());
    }

    [Fact]
    public void ComponentOrderOfTheInputIsKept()
    {
        // DACL first, then group, then owner: a layout Windows' SDDL parser never produces but GetFileSecurity may.
        var source = SecurityDescriptor.ParseSddl("O:BAG:SYD:(A;;FA;;;BA)");
        byte[] owner = source.Owner!.ToBinary(), group = source.Group!.ToBinary();
        var dacl = new byte[source.Dacl!.BinaryLength];
        source.Dacl.WriteTo(dacl);
        byte[] bytes = [.. new byte[20], .. dacl, .. group, .. owner];
        bytes[0] = 1;
        bytes[2] = 0x04;
        bytes[3] = 0x80;
        bytes[4] = (byte)(20 + dacl.Length + group.Length);
        bytes[8] = (byte)(20 + dacl.Length);
        bytes[16] = 20;
        var sd = SecurityDescriptor.Parse(bytes);
        Assert.Equal("O:BAG:SYD:(A;;FA;;;BA)", sd.ToSddl());
        Assert.Equal(bytes, sd.ToBinary());
    }

    [Fact]
    public void NullDaclAndAbsentDaclAreDistinct()
    {
        var nullDacl = SecurityDescriptor.ParseSddl("O:BAD:NO_ACCESS_CONTROL");
        Assert.Null(nullDacl.Dacl);
        Assert.True(nullDacl.Control.HasFlag(SecurityDescriptorControl.DaclPresent));
        byte[] nullBytes = nullDacl.ToBinary();
        Assert.Equal(0x8004, BitConverter.ToUInt16(nullBytes, 2));
        Assert.Equal(0, BitConverter.ToInt32(nullBytes, 16));
        Assert.Equal("O:BAD:NO_ACCESS_CONTROL", SecurityDescriptor.Parse(nullBytes).ToSddl());
        Assert.Equal(nullBytes, SecurityDescriptor.Parse(nullBytes).ToBinary());

        var absent = SecurityDescriptor.ParseSddl("O:BA");
        Assert.Equal(SecurityDescriptorControl.SelfRelative, absent.Control);
        Assert.Equal("O:BA", SecurityDescriptor.Parse(absent.ToBinary()).ToSddl());

        var empty = SecurityDescriptor.ParseSddl("O:BAD:");
        Assert.Empty(empty.Dacl!.Entries);
        byte[] emptyBytes = empty.ToBinary();
        Assert.Equal("0200080000000000", Convert.ToHexStringLower(emptyBytes, 36, 8));
        Assert.Equal("O:BAD:", SecurityDescriptor.Parse(emptyBytes).ToSddl());
    }

    [Fact]
    public void UnknownAceTypeIsKeptRaw()
    {
        // A DACL holding an ACE of type 0x42 with a 9-byte body, then an allowed ACE with 4 bytes of padding.
        var sd = SecurityDescriptor.ParseSddl("D:(A;;FA;;;WD)");
        byte[] allowed = new byte[sd.Dacl!.Entries[0].BinaryLength];
        sd.Dacl.Entries[0].WriteTo(allowed);
        allowed[2] += 4;
        byte[] unknown = [0x42, 0x03, 13, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        int aclSize = 8 + unknown.Length + allowed.Length + 4 + 3;
        byte[] acl = [2, 0, (byte)aclSize, 0, 2, 0, 0, 0, .. unknown, .. allowed, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xee, 0xee];
        byte[] bytes = [1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, .. acl];

        var parsed = SecurityDescriptor.Parse(bytes);
        Assert.Equal(bytes, parsed.ToBinary());
        AccessControlEntry raw = parsed.Dacl!.Entries[0];
        Assert.True(raw.IsRaw);
        Assert.Equal((AceType)0x42, raw.Type);
        Assert.Equal(unknown[4..], raw.RawBody.ToArray());
        Assert.Equal(new byte[] { 0xaa, 0xbb, 0xcc, 0xdd }, parsed.Dacl.Entries[1].TrailingData.ToArray());
        Assert.Equal(3, parsed.Dacl.Slack.Length);
        Assert.Throws<NotSupportedException>(parsed.ToSddl);
    }

    [Fact]
    public void CallbackAceKeepsItsApplicationData()
    {
        var ace = new AccessControlEntry(AceType.AccessAllowedCallback, AceFlags.None, 0x1f01ff, Sid.Parse("S-1-1-0"),
            trailingData: "artx"u8);
        var sd = new SecurityDescriptor(SecurityDescriptorControl.None, null, null, null, new AccessControlList([ace]));
        byte[] bytes = sd.ToBinary();
        var parsed = SecurityDescriptor.Parse(bytes);
        Assert.Equal("artx"u8.ToArray(), parsed.Dacl!.Entries[0].TrailingData.ToArray());
        Assert.Equal(bytes, parsed.ToBinary());
    }

    [Theory]
    [InlineData("", "offset 0")]
    [InlineData("0100048014000000", "offset 8")]
    [InlineData("02000480000000000000000000000000000000000", "revision")]
    [InlineData("0100040000000000000000000000000000000000", "SE_SELF_RELATIVE")]
    [InlineData("0100048064000000000000000000000000000000", "offset 4")]
    [InlineData("010004801000000000000000000000000000000000", "offset 4")]
    [InlineData("0100048000000000000000000000000014000000" + "0100", "offset 20")]
    [InlineData("0100048000000000000000000000000014000000" + "0200ff0000000000", "size 255")]
    [InlineData("0100048000000000000000000000000014000000" + "0900080000000000", "revision 9")]
    [InlineData("0100048000000000000000000000000014000000" + "020008000100" + "0000", "claims 1 ACEs")]
    [InlineData("0100048000000000000000000000000014000000" + "02000c0001000000" + "00000200", "size 2")]
    [InlineData("0100048000000000000000000000000014000000" + "02000c0001000000" + "00001000", "overruns")]
    [InlineData("0100048014000000000000000000000000000000" + "0110000000000005", "sub-authorities")]
    [InlineData("0100048014000000000000000000000000000000" + "0102000000000005", "truncated")]
    [InlineData("0100048000000000000000000000000014000000" + "020014000100000000000c00ff011f00" + "01010000", "offset 36")]
    public void MalformedBinaryIsInvalidDataNamingTheOffset(string hex, string expected)
    {
        if (hex.Length % 2 == 1)
        {
            hex = hex[..^1];
        }

        var e = Assert.Throws<InvalidDataException>(() => SecurityDescriptor.Parse(Convert.FromHexString(hex)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
