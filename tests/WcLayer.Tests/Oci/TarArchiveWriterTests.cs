using System.Formats.Tar;
using System.Text;
using WcLayer.Oci;

namespace WcLayer.Tests.Oci;

public class TarArchiveWriterTests
{
    private static async Task<byte[]> WriteAsync(params (TarHeader Header, byte[] Data)[] entries)
    {
        var output = new MemoryStream();
        var writer = new TarArchiveWriter(output);
        foreach ((TarHeader header, byte[] data) in entries)
        {
            await writer.WriteHeaderAsync(header, default);
            await writer.WriteDataAsync(data, default);
        }

        await writer.CloseAsync(default);
        return output.ToArray();
    }

    private static string Field(byte[] block, int offset, int length) =>
        Encoding.ASCII.GetString(block, offset, length).TrimEnd('\0');

    [Fact]
    public async Task WhiteoutIsAUstarHeaderWithZeroFields()
    {
        byte[] tar = await WriteAsync((new TarHeader { Name = "Files/.wh.gone" }, []));
        Assert.Equal(512 * 3, tar.Length);
        Assert.Equal("Files/.wh.gone", Field(tar, 0, 100));
        Assert.Equal("0000000", Field(tar, 100, 8));
        Assert.Equal("00000000000", Field(tar, 124, 12));
        Assert.Equal("00000000000", Field(tar, 136, 12));
        Assert.Equal((byte)'0', tar[156]);
        Assert.Equal("ustar\0" + "00", Encoding.ASCII.GetString(tar, 257, 8));
        AssertChecksum(tar.AsSpan(0, 512));
        Assert.All(tar[512..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task PaxEntryHasPaxHeaders0NameAndSortedRecords()
    {
        var header = new TarHeader
        {
            Name = "Files/dir/a.txt",
            Mode = TarHeader.ModeRegular,
            Size = 3,
            ModificationTime = (Int128)1_700_000_000 * 1_000_000_000,
            AccessTime = (Int128)1_700_000_000 * 1_000_000_000 + 500_000_000,
        };
        header.PaxRecords["MSWINDOWS.fileattr"] = "32";
        header.PaxRecords["LIBARCHIVE.creationtime"] = "1700000000";
        byte[] tar = await WriteAsync((header, "abc"u8.ToArray()));

        Assert.Equal("Files/dir/PaxHeaders.0/a.txt", Field(tar, 0, 100));
        Assert.Equal((byte)'x', tar[156]);
        AssertChecksum(tar.AsSpan(0, 512));
        string records = Encoding.UTF8.GetString(tar, 512, Convert.ToInt32(Field(tar, 124, 12), 8));
        Assert.Equal("38 LIBARCHIVE.creationtime=1700000000\n" + "25 MSWINDOWS.fileattr=32\n" + "22 atime=1700000000.5\n", records);

        byte[] main = tar[1024..1536];
        Assert.Equal("Files/dir/a.txt", Field(main, 0, 100));
        Assert.Equal("0100000", Field(main, 100, 8));
        Assert.Equal("00000000003", Field(main, 124, 12));
        Assert.Equal(Convert.ToString(1_700_000_000, 8).PadLeft(11, '0'), Field(main, 136, 12));
        AssertChecksum(main);
        Assert.Equal("abc", Encoding.ASCII.GetString(tar, 1536, 3));

        using var reader = new TarReader(new MemoryStream(tar));
        var entry = (PaxTarEntry)reader.GetNextEntry()!;
        Assert.Equal("Files/dir/a.txt", entry.Name);
        Assert.Equal("32", entry.ExtendedAttributes["MSWINDOWS.fileattr"]);
        Assert.Null(reader.GetNextEntry());
    }

    [Fact]
    public async Task OutputIsDeterministic()
    {
        TarHeader Make() => new() { Name = "Files/é/" + new string('x', 120), Size = 1, ModificationTime = 5 };
        byte[] a = await WriteAsync((Make(), [1]));
        byte[] b = await WriteAsync((Make(), [1]));
        Assert.Equal(a, b);
    }

    [Fact]
    public async Task LongAsciiNameIsSplitIntoUstarPrefix()
    {
        string name = "Files/" + new string('d', 90) + "/" + new string('f', 90);
        byte[] tar = await WriteAsync((new TarHeader { Name = name }, []));
        Assert.Equal(new string('f', 90), Field(tar, 0, 100));
        Assert.Equal("Files/" + new string('d', 90), Field(tar, 345, 155));
        using var reader = new TarReader(new MemoryStream(tar));
        Assert.Equal(name, reader.GetNextEntry()!.Name);
    }

    [Fact]
    public async Task LongAndUnicodeNamesUsePathRecord()
    {
        string name = "Files/" + string.Concat(Enumerable.Repeat("中文ü/", 40)) + "leaf.txt";
        var header = new TarHeader { Name = name, Size = 0 };
        header.PaxRecords["MSWINDOWS.fileattr"] = "32";
        byte[] tar = await WriteAsync((header, []));
        using var reader = new TarReader(new MemoryStream(tar));
        var entry = (PaxTarEntry)reader.GetNextEntry()!;
        Assert.Equal(name, entry.Name);
        Assert.Equal(name, entry.ExtendedAttributes["path"]);
    }

    [Fact]
    public async Task SizeOver8GiBIsAPaxRecord()
    {
        var output = new MemoryStream();
        var writer = new TarArchiveWriter(output);
        await writer.WriteHeaderAsync(new TarHeader { Name = "Files/big", Size = 9L << 30 }, default);
        byte[] tar = output.ToArray();
        string records = Encoding.UTF8.GetString(tar, 512, Convert.ToInt32(Field(tar, 124, 12), 8));
        Assert.Contains("size=9663676416\n", records, StringComparison.Ordinal);
        Assert.Equal("00000000000", Field(tar, 1024 + 124, 12));
        Assert.Equal(9L << 30, writer.Remaining);
    }

    [Fact]
    public async Task PaxRecordLengthCountsItsOwnDigits()
    {
        // A record whose length crosses from 2 to 3 digits when the digits are added.
        var header = new TarHeader { Name = "f" };
        header.PaxRecords["k"] = new string('v', 93); // 1 + 93 + 3 = 97, + 2 digits = 99
        header.PaxRecords["kk"] = new string('v', 93); // 2 + 93 + 3 = 98, + 2 = 100 -> 3 digits -> 101
        byte[] tar = await WriteAsync((header, []));
        string records = Encoding.UTF8.GetString(tar, 512, Convert.ToInt32(Field(tar, 124, 12), 8));
        Assert.StartsWith("99 k=", records, StringComparison.Ordinal);
        Assert.Contains("\n101 kk=", records, StringComparison.Ordinal);
        using var reader = new TarReader(new MemoryStream(tar));
        var entry = (PaxTarEntry)reader.GetNextEntry()!;
        Assert.Equal(new string('v', 93), entry.ExtendedAttributes["kk"]);
    }

    [Fact]
    public async Task TooMuchOrTooLittleDataIsAnError()
    {
        var writer = new TarArchiveWriter(new MemoryStream());
        await writer.WriteHeaderAsync(new TarHeader { Name = "a", Size = 2 }, default);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteDataAsync(new byte[3], default));
        await writer.WriteDataAsync(new byte[1], default);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteHeaderAsync(new TarHeader { Name = "b" }, default));
    }

    [Fact]
    public async Task GnuTarListsTheOutput()
    {
        if (!File.Exists("/usr/bin/tar"))
        {
            return;
        }

        var header = new TarHeader { Name = "Files/a.txt", Mode = TarHeader.ModeRegular, Size = 3, ModificationTime = (Int128)1_600_000_000 * 1_000_000_000 + 1 };
        header.PaxRecords["MSWINDOWS.fileattr"] = "32";
        byte[] tar = await WriteAsync((new TarHeader { Name = "Files", TypeFlag = TarHeader.TypeDirectory, Mode = TarHeader.ModeDirectory }, []), (header, "abc"u8.ToArray()));
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, tar);
            var psi = new System.Diagnostics.ProcessStartInfo("tar", ["-tf", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = System.Diagnostics.Process.Start(psi)!;
            string listing = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
            Assert.Equal("Files\nFiles/a.txt\n", listing);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertChecksum(ReadOnlySpan<byte> block)
    {
        int sum = 0;
        for (int i = 0; i < 512; i++)
        {
            sum += i is >= 148 and < 156 ? ' ' : block[i];
        }

        Assert.Equal(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ", Encoding.ASCII.GetString(block.Slice(148, 8)));
    }
}
