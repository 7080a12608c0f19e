using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using WcLayer.Oci;
using WcLayer.Tests.Support;
using WcLayer.Win32;

namespace WcLayer.Tests.Oci;

/// <summary>
/// Tars as other producers write them (spec peers §2): each is read with the documented defaults, and
/// tar → layer → tar → layer → tar reaches a fixed point with every entry, datum and time kept.
/// </summary>
public class ProducerStyleTests
{
    private const string BuildKitFileSd = "AQAEgBQAAAAkAAAAAAAAADAAAAABAgAAAAAABSAAAAAgAgAAAQEAAAAAAAUSAAAAAgBMAAMAAAAAABgA/wEfAAECAAAAAAAFIAAAACACAAAAABQA/wEfAAEBAAAAAAAFEgAAAAAAGACpABIAAQIAAAAAAAUgAAAAIQIAAA==";
    private const string UsersSd = "AQAAgBQAAAAkAAAAAAAAAAAAAAABAgAAAAAABSAAAAAhAgAAAQIAAAAAAAUgAAAAIQIAAA==";
    private static readonly DateTimeOffset Mtime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static byte[] Write(TarEntryFormat format, Action<TarWriter> build)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, format, leaveOpen: true))
        {
            build(writer);
        }

        return output.ToArray();
    }

    private static PaxTarEntry Pax(TarEntryType type, string name, Dictionary<string, string> records, string? data = null, string? link = null)
    {
        var entry = new PaxTarEntry(type, name, records) { ModificationTime = Mtime };
        if (data is not null)
        {
            entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(data));
        }

        if (link is not null)
        {
            entry.LinkName = link;
        }

        return entry;
    }

    private static async Task<List<LayerTarEntry>> DecodeAsync(byte[] tar)
    {
        var list = new List<LayerTarEntry>();
        using var reader = new LayerTarReader(new MemoryStream(tar));
        while (await reader.GetNextEntryAsync() is { } e)
        {
            list.Add(e);
        }

        return list;
    }

    /// <summary>T0 → layer → T1 → layer → T2: T1 equals T2 byte for byte, and T1 keeps every entry of T0 with its metadata and data.</summary>
    private static async Task<byte[]> AssertFixedPointAsync(byte[] tar0)
    {
        byte[] tar1 = await LayerRoundTripTests.ExportAsync(await LayerRoundTripTests.ImportAsync(tar0));
        byte[] tar2 = await LayerRoundTripTests.ExportAsync(await LayerRoundTripTests.ImportAsync(tar1));
        Assert.Equal(tar1, tar2);
        Assert.Equal(await SummaryAsync(tar0), await SummaryAsync(tar1));
        return tar1;
    }

    private static async Task<List<string>> SummaryAsync(byte[] tar)
    {
        var lines = new List<string>();
        using var reader = new LayerTarReader(new MemoryStream(tar));
        while (await reader.GetNextEntryAsync() is { } e)
        {
            var data = new MemoryStream();
            if (e.DataStream is not null)
            {
                await e.DataStream.CopyToAsync(data);
            }

            // A hard link is a second name of one file: it has no metadata of its own in a layer (AddLink takes none).
            lines.Add($"{e.Name}|{e.EntryType}|{e.Size}|{(e.EntryType == LayerTarEntryType.HardLink ? "" : e.FileInfo)}|{(e.SecurityDescriptor is null ? "" : Convert.ToBase64String(e.SecurityDescriptor))}|{string.Join(",", e.ExtendedAttributes.Select(a => a.Name))}|{e.LinkTarget?.Replace('\\', '/')}|{e.WhiteoutTarget}|{Convert.ToHexString(data.ToArray())}");
        }

        return lines;
    }

    private static long FileTimeOf(long seconds, long nanoseconds) => FileTime.FromUnixNanoseconds((Int128)seconds * 1_000_000_000 + nanoseconds);

    [Fact]
    public async Task BuildKit()
    {
        // util/winlayers/differ.go: Files and Hives first, fileattr 16/32, a fixed rawsd, creation time as
        // seconds "." nanoseconds without zero padding.
        byte[] tar = Write(TarEntryFormat.Pax, w =>
        {
            w.WriteEntry(Pax(TarEntryType.Directory, "Hives", new() { ["MSWINDOWS.fileattr"] = "16" }));
            w.WriteEntry(Pax(TarEntryType.Directory, "Files", new() { ["MSWINDOWS.fileattr"] = "16" }));
            w.WriteEntry(Pax(TarEntryType.RegularFile, "Files/app.exe", new()
            {
                ["MSWINDOWS.fileattr"] = "32",
                ["MSWINDOWS.rawsd"] = BuildKitFileSd,
                ["LIBARCHIVE.creationtime"] = "1700000000.5000000",
            }, "MZ"));
        });
        List<LayerTarEntry> entries = await DecodeAsync(tar);
        Assert.Equal(["Hives", "Files", "Files/app.exe"], entries.Select(e => e.Name));
        LayerTarEntry app = entries[2];
        Assert.Equal(FileAttributes.Archive, app.FileInfo.FileAttributes);
        Assert.Equal(FileTimeOf(1_700_000_000, 500_000_000), app.FileInfo.CreationTime); // 5 ms as BuildKit meant it reads 0.5 s, as go-winio reads it
        Assert.Equal("O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)(A;;0x1200a9;;;BU)", SecurityDescriptor.Parse(app.SecurityDescriptor).ToSddl());
        await AssertFixedPointAsync(tar);
    }

    [Fact]
    public async Task GoContainerRegistry()
    {
        // internal/windows: Files and Hives with mode 0555, every entry PAX with rawsd O:BUG:BU, no fileattr.
        byte[] tar = Write(TarEntryFormat.Pax, w =>
        {
            foreach (string dir in new[] { "Files", "Hives" })
            {
                PaxTarEntry entry = Pax(TarEntryType.Directory, dir, new() { ["MSWINDOWS.rawsd"] = UsersSd });
                entry.Mode = (UnixFileMode)0x16D;
                w.WriteEntry(entry);
            }

            w.WriteEntry(Pax(TarEntryType.RegularFile, "Files/ko-app/app.exe", new() { ["MSWINDOWS.rawsd"] = UsersSd }, "bin"));
        });
        List<LayerTarEntry> entries = await DecodeAsync(tar);
        Assert.Equal(FileAttributes.Directory, entries[0].FileInfo.FileAttributes);
        Assert.Equal((FileAttributes)0, entries[2].FileInfo.FileAttributes);
        Assert.Equal(entries[2].FileInfo.LastWriteTime, entries[2].FileInfo.CreationTime);
        Assert.Equal(0, entries[2].FileInfo.LastAccessTime);
        Assert.Equal("O:BUG:BU", SecurityDescriptor.Parse(entries[2].SecurityDescriptor).ToSddl());
        // The parent directory Files/ko-app is missing in the tar, as ggcr writes it; the bridge passes entries on
        // as they are (a store that needs parents reports the missing one).
        await AssertFixedPointAsync(tar);
    }

    [Fact]
    public async Task DotNetSdk()
    {
        // Layer.cs: Files first, Hives last, rawsd on every entry, no fileattr, no creation time, gzip around it.
        byte[] tar = Write(TarEntryFormat.Pax, w =>
        {
            w.WriteEntry(Pax(TarEntryType.Directory, "Files", new() { ["MSWINDOWS.rawsd"] = UsersSd }));
            w.WriteEntry(Pax(TarEntryType.Directory, "Files/app", new() { ["MSWINDOWS.rawsd"] = UsersSd }));
            w.WriteEntry(Pax(TarEntryType.RegularFile, "Files/app/app.dll", new() { ["MSWINDOWS.rawsd"] = UsersSd }, "IL"));
            w.WriteEntry(Pax(TarEntryType.Directory, "Hives", new() { ["MSWINDOWS.rawsd"] = UsersSd }));
        });
        List<LayerTarEntry> entries = await DecodeAsync(tar);
        Assert.Equal(["Files", "Files/app", "Files/app/app.dll", "Hives"], entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.NotNull(e.SecurityDescriptor));
        Assert.Equal(FileTime.FromDateTimeOffset(Mtime), entries[2].FileInfo.CreationTime);
        await AssertFixedPointAsync(tar);
    }

    [Fact]
    public async Task LibarchiveAndWindowsTarExe()
    {
        // No MSWINDOWS records; LIBARCHIVE.creationtime, SCHILY.fflags, LIBARCHIVE.symlinktype=dir.
        byte[] tar = Write(TarEntryFormat.Pax, w =>
        {
            w.WriteEntry(Pax(TarEntryType.Directory, "Files/", new() { ["LIBARCHIVE.creationtime"] = "1600000000" }));
            w.WriteEntry(Pax(TarEntryType.RegularFile, "Files/hidden.sys", new() { ["SCHILY.fflags"] = "hidden,system,rdonly", ["LIBARCHIVE.creationtime"] = "1600000000.25" }, "sys"));
            w.WriteEntry(Pax(TarEntryType.SymbolicLink, "Files/dirlink", new() { ["LIBARCHIVE.symlinktype"] = "dir" }, link: "Windows/System32"));
            w.WriteEntry(Pax(TarEntryType.SymbolicLink, "Files/filelink", [], link: "hidden.sys"));
        });
        List<LayerTarEntry> entries = await DecodeAsync(tar);
        Assert.Equal("Files", entries[0].Name);
        Assert.Equal(FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReadOnly, entries[1].FileInfo.FileAttributes);
        Assert.Equal(FileTimeOf(1_600_000_000, 250_000_000), entries[1].FileInfo.CreationTime);
        Assert.Equal(FileAttributes.Directory, entries[2].FileInfo.FileAttributes);
        Assert.Equal(LayerTarEntryType.SymbolicLink, entries[2].EntryType);
        Assert.Equal((FileAttributes)0, entries[3].FileInfo.FileAttributes);
        byte[] canonical = await AssertFixedPointAsync(tar);

        // The link target keeps the producer's slashes in the tar; the layer gets Windows separators.
        MemoryLayer layer = await LayerRoundTripTests.ImportAsync(canonical);
        using var streams = new BackupStreamReader(new MemoryStream(layer[@"Files\dirlink"].Content.ToArray()));
        Assert.Equal(BackupStreamId.ReparseData, streams.ReadNextHeader()!.Value.Id);
        Assert.Equal(@"Windows\System32", ReparsePoint.Decode(streams.ReadToEnd()).Target);
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("posix")]
    [InlineData("ustar")]
    public async Task GnuTar(string format)
    {
        string root = Directory.CreateTempSubdirectory("wclayer-gnutar-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "Files", "Windows"));
            Directory.CreateDirectory(Path.Combine(root, "Hives"));
            await File.WriteAllTextAsync(Path.Combine(root, "Files", "Windows", "win.ini"), "[fonts]\n");
            File.CreateSymbolicLink(Path.Combine(root, "Files", "link"), "Windows/win.ini");
            await File.WriteAllBytesAsync(Path.Combine(root, "Hives", "Sam_Delta"), [1, 2, 3]);
            Process.Start(new ProcessStartInfo("ln", [Path.Combine(root, "Files", "Windows", "win.ini"), Path.Combine(root, "Files", "hard.ini")]))!.WaitForExit();
            var psi = new ProcessStartInfo("tar", ["--format=" + format, "--sort=name", "-cf", "-", "-C", root, "./Files", "./Hives"]) { RedirectStandardOutput = true };
            using var tarProcess = Process.Start(psi)!;
            var output = new MemoryStream();
            await tarProcess.StandardOutput.BaseStream.CopyToAsync(output);
            await tarProcess.WaitForExitAsync();
            Assert.Equal(0, tarProcess.ExitCode);

            List<LayerTarEntry> entries = await DecodeAsync(output.ToArray());
            Assert.Equal(["Files", "Files/Windows", "Files/Windows/win.ini", "Files/hard.ini", "Files/link", "Hives", "Hives/Sam_Delta"], entries.Select(e => e.Name));
            Assert.Equal(LayerTarEntryType.HardLink, entries[3].EntryType);
            Assert.Equal("Files/Windows/win.ini", entries[3].LinkTarget);
            await AssertFixedPointAsync(output.ToArray());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

public class GnuSparseTarTests
{
    [Fact]
    public async Task PaxSparse10IsReadAsDenseData()
    {
        string root = Directory.CreateTempSubdirectory("wclayer-sparse-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "Files"));
            string file = Path.Combine(root, "Files", "sparse.dat");
            await using (var stream = new FileStream(file, FileMode.Create))
            {
                stream.Write("head"u8);
                stream.Position = 1_000_000;
                stream.Write("middle"u8);
                stream.SetLength(3_000_000);
            }

            var psi = new System.Diagnostics.ProcessStartInfo("tar", ["--format=posix", "--sparse", "-cf", "-", "-C", root, "Files"]) { RedirectStandardOutput = true };
            using var tar = System.Diagnostics.Process.Start(psi)!;
            var archive = new MemoryStream();
            await tar.StandardOutput.BaseStream.CopyToAsync(archive);
            await tar.WaitForExitAsync();
            Assert.True(archive.Length < 1_000_000, "GNU tar wrote the file sparse");

            archive.Position = 0;
            using var reader = new LayerTarReader(archive);
            Assert.Equal("Files", (await reader.GetNextEntryAsync())!.Name);
            LayerTarEntry entry = (await reader.GetNextEntryAsync())!;
            Assert.Equal("Files/sparse.dat", entry.Name);
            Assert.Equal(3_000_000, entry.Size);
            var data = new MemoryStream();
            await entry.DataStream!.CopyToAsync(data);
            Assert.Equal(await File.ReadAllBytesAsync(file), data.ToArray());

            using var writer = new WcLayer.Tests.Support.MemoryLayerWriter();
            archive.Position = 0;
            Assert.Equal(3_000_000, await OciLayer.WriteLayerFromTarAsync(archive, writer));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("GNU.sparse.major", "0")]
    [InlineData("GNU.sparse.map", "0,1")]
    public async Task OtherSparseFormatsAreRejectedClearly(string key, string value)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "Files/x", new Dictionary<string, string> { [key] = value }));
        }

        output.Position = 0;
        using var reader = new LayerTarReader(output);
        var e = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.GetNextEntryAsync());
        Assert.Contains("only GNU sparse format 1.0 is supported", e.Message, StringComparison.Ordinal);
    }
}
