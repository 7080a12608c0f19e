using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using WcLayer.Oci;
using WcLayer.Tests.Support;

namespace WcLayer.Tests.Oci;

/// <summary>
/// Damaged tars are errors, never silent truncation (issue 8 items 3, 5 and 10): a bad header checksum, a zeroed
/// header or a lone zero block in the middle, data after the end, oversized extended headers, names that are not UTF-8.
/// </summary>
public class DamagedTarTests
{
    private const int Block = 512;

    /// <summary>Three small files in USTAR: headers at 0, 1024 and 2048; the end at 3072.</summary>
    private static byte[] ThreeFiles()
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (string name in new[] { "Files/a", "Files/b", "Files/c" })
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream("abc"u8.ToArray()) });
            }
        }

        return output.ToArray();
    }

    private static async Task<(int Entries, InvalidDataException? Error)> ReadAllAsync(byte[] tar)
    {
        int entries = 0;
        try
        {
            await using var reader = new LayerTarReader(new MemoryStream(tar));
            while (await reader.GetNextEntryAsync() is not null)
            {
                entries++;
            }

            return (entries, null);
        }
        catch (InvalidDataException e)
        {
            return (entries, e);
        }
    }

    [Fact]
    public async Task An_intact_tar_reads_whole_with_its_zero_padding()
    {
        byte[] tar = [.. ThreeFiles(), .. new byte[10240]];

        (int entries, InvalidDataException? error) = await ReadAllAsync(tar);

        Assert.Null(error);
        Assert.Equal(3, entries);
    }

    [Fact]
    public async Task A_bad_checksum_in_the_middle_is_an_error_naming_the_offset()
    {
        byte[] tar = ThreeFiles();
        tar[Block * 2 + 5] ^= 0x20; // a changed name byte: TarReader alone would read "Files/B"

        (int entries, InvalidDataException? error) = await ReadAllAsync(tar);

        Assert.Equal(1, entries);
        Assert.NotNull(error);
        Assert.Contains("offset 1024", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zeroed_checksum_is_an_error_not_the_end()
    {
        byte[] tar = ThreeFiles();
        tar.AsSpan(Block * 2 + 148, 8).Clear();

        (_, InvalidDataException? error) = await ReadAllAsync(tar);

        Assert.NotNull(error);
        Assert.Contains("offset 1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_zero_block_in_the_middle_is_an_error_naming_both_offsets()
    {
        byte[] good = ThreeFiles();
        byte[] tar = [.. good.AsSpan(0, Block * 2), .. new byte[Block], .. good.AsSpan(Block * 2)];

        (int entries, InvalidDataException? error) = await ReadAllAsync(tar);

        Assert.Equal(1, entries);
        Assert.NotNull(error);
        Assert.Contains("end-of-archive block at offset 1024", error.Message, StringComparison.Ordinal);
        Assert.Contains("data at offset 1536", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_after_the_end_is_an_error()
    {
        byte[] tar = [.. ThreeFiles(), .. new byte[100], .. "junk"u8];

        (int entries, InvalidDataException? error) = await ReadAllAsync(tar);

        Assert.Equal(3, entries);
        Assert.NotNull(error);
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_a_damaged_tar_writes_nothing_and_commits_nothing()
    {
        byte[] tar = ThreeFiles();
        tar[Block * 4 + 5] ^= 0x20;
        using var writer = new MemoryLayerWriter();

        await Assert.ThrowsAsync<InvalidDataException>(() => OciLayer.WriteLayerFromTarAsync(new MemoryStream(tar), writer));

        Assert.Null(writer.Committed);
    }

    [Fact]
    public async Task A_pax_header_over_the_write_limit_is_refused_before_it_is_buffered()
    {
        // A 1.2 MB gzip that inflates to one 256 MiB PAX record: refused at its header, so memory stays flat.
        var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            const long RecordSize = 256L << 20;
            byte[] header = UstarHeader("PaxHeaders.0/a", (byte)'x', RecordSize);
            await gzip.WriteAsync(header);
            byte[] zeros = new byte[1 << 20];
            string prefix = RecordSize.ToString(System.Globalization.CultureInfo.InvariantCulture) + " MSWINDOWS.rawsd=";
            await gzip.WriteAsync(Encoding.ASCII.GetBytes(prefix));
            for (long written = prefix.Length; written < RecordSize; written += zeros.Length)
            {
                await gzip.WriteAsync(zeros.AsMemory(0, (int)Math.Min(zeros.Length, RecordSize - written)));
            }
        }

        compressed.Position = 0;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await using var reader = new LayerTarReader(new GZipStream(compressed, CompressionMode.Decompress));
        InvalidDataException e = await Assert.ThrowsAsync<InvalidDataException>(() => reader.GetNextEntryAsync().AsTask());
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains("more than the limit of 1048576 bytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"{allocated} bytes were allocated for a refused header");
    }

    [Fact]
    public async Task A_pax_header_at_the_limit_is_read()
    {
        string sd = Convert.ToBase64String(new byte[600_000]); // 800 000 characters of records: under 1 MiB
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "Files", new Dictionary<string, string> { ["comment"] = sd }));
        }

        (int entries, InvalidDataException? error) = await ReadAllAsync(output.ToArray());

        Assert.Null(error);
        Assert.Equal(1, entries);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Names_that_are_not_utf8_are_refused_with_their_bytes(bool inPax)
    {
        byte[] name = [.. "Files/caf"u8, 0xE9]; // Latin-1 "café": two such names would both become "caf\uFFFD"
        var tar = new MemoryStream();
        if (inPax)
        {
            byte[] record = [.. Encoding.ASCII.GetBytes($"{name.Length + 9} path="), .. name, (byte)'\n'];
            tar.Write(UstarHeader("PaxHeaders.0/x", (byte)'x', record.Length));
            tar.Write(record);
            tar.Write(new byte[Block - record.Length]);
            tar.Write(UstarHeader("Files/placeholder", (byte)'0', 0));
        }
        else
        {
            tar.Write(UstarHeader(Encoding.Latin1.GetString(name), (byte)'0', 0));
        }

        tar.Write(new byte[Block * 2]);

        (_, InvalidDataException? error) = await ReadAllAsync(tar.ToArray());

        Assert.NotNull(error);
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Contains("46696C65732F636166E9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_utf8_name_that_pax_overrides_is_not_checked_in_the_truncated_field()
    {
        // GNU tar and Go keep a cut-down name in the USTAR field when a PAX path overrides it; only the PAX one counts.
        string longName = "Files/" + new string('é', 80);
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "Files"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, longName));
        }

        byte[] tar = output.ToArray();
        (int entries, InvalidDataException? error) = await ReadAllAsync(tar);

        Assert.Null(error);
        Assert.Equal(2, entries);
    }

    /// <summary>A USTAR header block with a correct checksum.</summary>
    private static byte[] UstarHeader(string name, byte type, long size)
    {
        byte[] header = new byte[Block];
        Encoding.Latin1.GetBytes(name).AsSpan().CopyTo(header);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = type;
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        "        "u8.CopyTo(header.AsSpan(148));
        int sum = 0;
        foreach (byte b in header)
        {
            sum += b;
        }

        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }
}
