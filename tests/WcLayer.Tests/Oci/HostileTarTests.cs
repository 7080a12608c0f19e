using System.Formats.Tar;
using System.Text;
using CsCheck;
using WcLayer.Oci;
using WcLayer.Tests.Support;

namespace WcLayer.Tests.Oci;

/// <summary>Malformed and malicious tars: only <see cref="InvalidDataException"/> naming the entry, nothing written past the error.</summary>
public class HostileTarTests
{
    internal static byte[] Tar(params (string Name, TarEntryType Type, string? Link, Dictionary<string, string>? Pax)[] entries)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach ((string name, TarEntryType type, string? link, Dictionary<string, string>? pax) in entries)
            {
                var entry = new PaxTarEntry(type, name, pax ?? []);
                if (link is not null)
                {
                    entry.LinkName = link;
                }

                if (type == TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream("x"u8.ToArray());
                }

                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    internal static async Task<InvalidDataException> ImportFailsAsync(byte[] tar)
    {
        using var writer = new MemoryLayerWriter();
        return await Assert.ThrowsAsync<InvalidDataException>(() => OciLayer.WriteLayerFromTarAsync(new MemoryStream(tar), writer));
    }

    [Theory]
    [InlineData("Files/../../etc/passwd")]
    [InlineData("../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("Files/a\\..\\..\\x")]
    [InlineData("C:/Windows/x")]
    [InlineData("Files/.wh..")]
    [InlineData("Files/.wh...")]
    [InlineData("Files/.wh.")]
    public async Task NamesThatLeaveTheLayerAreRejected(string name)
    {
        InvalidDataException e = await ImportFailsAsync(Tar((name, TarEntryType.RegularFile, null, null)));
        Assert.Contains(name.TrimEnd('/'), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../a")]
    [InlineData("/Files/a")]
    [InlineData("Files/../../a")]
    public async Task HardLinkTargetsThatLeaveTheLayerAreRejected(string target)
    {
        InvalidDataException e = await ImportFailsAsync(Tar(("Files/link", TarEntryType.HardLink, target, null)));
        Assert.Contains("Files/link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingIsAddedAfterTheBadEntry()
    {
        byte[] tar = Tar(("Files", TarEntryType.Directory, null, null), ("Files/ok", TarEntryType.RegularFile, null, null), ("Files/../bad", TarEntryType.RegularFile, null, null), ("Files/later", TarEntryType.RegularFile, null, null));
        using var writer = new MemoryLayerWriter();
        await Assert.ThrowsAsync<InvalidDataException>(() => OciLayer.WriteLayerFromTarAsync(new MemoryStream(tar), writer));
        writer.Commit();
        Assert.Equal(["Files", "Files\\ok"], writer.Committed!.Entries.Select(e => e.Name));
    }

    [Fact]
    public async Task OpaqueWhiteoutsAreRejectedWithAClearMessage()
    {
        InvalidDataException e = await ImportFailsAsync(Tar(("Files/dir/.wh..wh..opq", TarEntryType.RegularFile, null, null)));
        Assert.Contains("opaque whiteouts are not supported", e.Message, StringComparison.Ordinal);
        Assert.Contains("Files/dir/.wh..wh..opq", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MSWINDOWS.fileattr", "x", "MSWINDOWS.fileattr 'x'")]
    [InlineData("MSWINDOWS.fileattr", "4294967296", "not a decimal 32-bit number")]
    [InlineData("MSWINDOWS.rawsd", "!!!", "MSWINDOWS.rawsd is not valid base64")]
    [InlineData("MSWINDOWS.xattr.A", "%%", "MSWINDOWS.xattr.A is not valid base64")]
    [InlineData("LIBARCHIVE.creationtime", "1.x", "LIBARCHIVE.creationtime='1.x' is invalid")]
    [InlineData("MSWINDOWS.sd", "garbage", "convert garbage")]
    public async Task BadPaxValuesNameTheEntryAndTheKey(string key, string value, string expected)
    {
        InvalidDataException e = await ImportFailsAsync(Tar(("Files/a", TarEntryType.RegularFile, null, new() { [key] = value })));
        Assert.Contains("Files/a", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrphanStreamAndColonNamesAreRejected()
    {
        InvalidDataException e = await ImportFailsAsync(Tar(("Files/a:b", TarEntryType.RegularFile, null, null)));
        Assert.Contains("Files/a:b", e.Message, StringComparison.Ordinal);
        e = await ImportFailsAsync(Tar(("Files/a", TarEntryType.RegularFile, null, null), ("Files/a:", TarEntryType.RegularFile, null, null)));
        Assert.Contains("Files/a:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LegacySddlRecordIsConverted()
    {
        byte[] tar = Tar(("Files/a", TarEntryType.RegularFile, null, new() { ["MSWINDOWS.sd"] = "O:BAG:SYD:(A;;FA;;;BA)" }));
        using var reader = new LayerTarReader(new MemoryStream(tar));
        LayerTarEntry e = (await reader.GetNextEntryAsync())!;
        Assert.Equal("010004801400000024000000000000003000000001020000000000052000000020020000010100000000000512000000020020000100000000001800ff011f0001020000000000052000000020020000", Convert.ToHexStringLower(e.SecurityDescriptor!));
    }

    [Fact]
    public async Task RawSdWinsOverLegacySddl()
    {
        byte[] raw = WcLayer.Win32.SecurityDescriptor.ParseSddl("O:SYG:SYD:(A;;FA;;;SY)").ToBinary();
        byte[] tar = Tar(("Files/a", TarEntryType.RegularFile, null, new() { ["MSWINDOWS.sd"] = "O:BA", ["MSWINDOWS.rawsd"] = Convert.ToBase64String(raw) }));
        using var reader = new LayerTarReader(new MemoryStream(tar));
        Assert.Equal(raw, (await reader.GetNextEntryAsync())!.SecurityDescriptor);
    }

    [Fact]
    public async Task A_truncated_security_descriptor_is_refused_naming_the_entry()
    {
        byte[] raw = WcLayer.Win32.SecurityDescriptor.ParseSddl("O:SYG:SYD:(A;;FA;;;SY)").ToBinary();
        byte[] tar = Tar(("Files/a", TarEntryType.RegularFile, null, new() { ["MSWINDOWS.rawsd"] = Convert.ToBase64String(raw.AsSpan(0, raw.Length - 4)) }));

        InvalidDataException e = await ImportFailsAsync(tar);

        Assert.Contains("'Files/a'", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid self-relative security descriptor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedAndCorruptedTarsOnlyThrowInvalidData()
    {
        MemoryLayer layer = LayerGen.Build(LayerGen.Layer.Single(l => l.Count > 8, seed: "0000ZZZZZZZZ"));
        byte[] tar = await LayerRoundTripTests.ExportAsync(layer);
        Gen.Select(Gen.Int[0, tar.Length], Gen.Int[0, tar.Length - 1], Gen.Byte, Gen.Bool).Sample((cut, at, value, flip) =>
        {
            byte[] bad = tar[..cut];
            if (flip && at < bad.Length)
            {
                bad[at] ^= (byte)(value | 1);
            }

            using var writer = new MemoryLayerWriter();
            try
            {
                OciLayer.WriteLayerFromTarAsync(new MemoryStream(bad), writer).GetAwaiter().GetResult();
            }
            catch (InvalidDataException)
            {
            }
        }, iter: 600);
    }

    [Fact]
    public async Task GarbageIsInvalidData()
    {
        byte[] garbage = Encoding.ASCII.GetBytes(new string('z', 4096));
        await ImportFailsAsync(garbage);
    }
}
