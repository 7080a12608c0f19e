using CsCheck;
using WcLayer.Oci;
using WcLayer.Tests.Support;
using WcLayer.Win32;

namespace WcLayer.Tests.Oci;

public class LayerRoundTripTests
{
    internal static async Task<byte[]> ExportAsync(MemoryLayer layer, bool seekable = true)
    {
        var tar = new MemoryStream();
        using MemoryLayerReader reader = layer.OpenReader(seekable);
        await OciLayer.WriteTarFromLayerAsync(reader, tar);
        return tar.ToArray();
    }

    internal static async Task<MemoryLayer> ImportAsync(byte[] tar)
    {
        using var writer = new MemoryLayerWriter();
        await OciLayer.WriteLayerFromTarAsync(new MemoryStream(tar), writer);
        writer.Commit();
        return writer.Committed!;
    }

    internal static void AssertSameLayer(MemoryLayer expected, MemoryLayer actual)
    {
        Assert.Equal(expected.Entries.Select(e => e.Name), actual.Entries.Select(e => e.Name));
        for (int i = 0; i < expected.Entries.Count; i++)
        {
            MemoryLayerEntry e = expected.Entries[i];
            MemoryLayerEntry a = actual.Entries[i];
            Assert.Equal(e.Info, a.Info);
            Assert.Equal(e.LinkTarget, a.LinkTarget);
            Assert.Equal(e.Size, a.Size);
            Assert.True(e.Content.ToArray().AsSpan().SequenceEqual(a.Content.ToArray()), $"backup stream of {e.Name} differs");
        }
    }

    [Fact]
    public void GeneratedLayersSurviveTarAndBackByteForByte() =>
        LayerGen.Layer.Sample(entries =>
        {
            MemoryLayer layer = LayerGen.Build(entries);
            byte[] tar1 = ExportAsync(layer).GetAwaiter().GetResult();
            MemoryLayer imported = ImportAsync(tar1).GetAwaiter().GetResult();
            AssertSameLayer(layer, imported);
            byte[] tar2 = ExportAsync(imported).GetAwaiter().GetResult();
            Assert.Equal(tar1, tar2);
        }, iter: 150);

    [Fact]
    public void SinglePassExportEqualsTwoPassWhenStreamsAreInCanonicalOrder() =>
        LayerGen.Layer.Sample(entries =>
        {
            // A single pass cannot see a directory's alternate data streams before writing its header (as go-winio).
            MemoryLayer layer = LayerGen.Build(entries.Select(e => e.Kind == "dir" ? e with { Streams = [] } : e));
            Assert.Equal(ExportAsync(layer, seekable: true).GetAwaiter().GetResult(), ExportAsync(layer, seekable: false).GetAwaiter().GetResult());
        }, iter: 50);

    [Fact]
    public async Task ExportIsDeterministic()
    {
        MemoryLayer layer = LayerGen.Build(LayerGen.Layer.Single(l => l.Count > 10, seed: "0000ZZZZZZZZ"));
        Assert.Equal(await ExportAsync(layer), await ExportAsync(layer));
    }

    [Fact]
    public async Task ExtendedAttributesAfterTheDataAreKeptOnlyWhenTheReaderCanSeek()
    {
        // BackupRead emits EAs after the data stream; go-winio loses them in single-pass mode.
        var layer = new MemoryLayer();
        var entry = new MemoryLayerEntry { Name = "Files\\a", Info = new FileBasicInfo(1, 2, 3, 4, FileAttributes.Archive), FileId = 1, Size = 3 };
        using (var w = new BackupStreamWriter(entry.Content, leaveOpen: true))
        {
            w.WriteStream(BackupStreamId.Data, "abc"u8);
            w.WriteStream(BackupStreamId.ExtendedAttributes, ExtendedAttributeList.Encode([new ExtendedAttribute("X", new byte[] { 1 })]));
        }

        entry.Content.Position = 0;
        layer.Entries.Add(entry);

        MemoryLayer twoPass = await ImportAsync(await ExportAsync(layer, seekable: true));
        MemoryLayer onePass = await ImportAsync(await ExportAsync(layer, seekable: false));
        Assert.Contains(BackupStreamId.ExtendedAttributes, StreamIds(twoPass.Entries[0]));
        Assert.DoesNotContain(BackupStreamId.ExtendedAttributes, StreamIds(onePass.Entries[0]));
    }

    [Fact]
    public async Task SparseFilesAreWrittenDenseAndReimportedAsData()
    {
        var layer = new MemoryLayer();
        var entry = new MemoryLayerEntry { Name = "Files\\sparse", Info = new FileBasicInfo(1, 2, 3, 4, FileAttributes.SparseFile), FileId = 1, Size = 1_000_016 };
        using (var w = new BackupStreamWriter(entry.Content, leaveOpen: true))
        {
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.Sparse, 0));
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.SparseBlock, BackupStreamAttributes.Sparse, 14, "", 0));
            w.Write("testing 1 2 3\n"u8);
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.SparseBlock, BackupStreamAttributes.Sparse, 16, "", 1_000_000));
            w.Write("more data later\n"u8);
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.SparseBlock, BackupStreamAttributes.Sparse, 0, "", 1_000_016));
        }

        entry.Content.Position = 0;
        layer.Entries.Add(entry);
        foreach (bool seekable in new[] { true, false })
        {
            byte[] tar = await ExportAsync(layer, seekable);
            using var reader = new LayerTarReader(new MemoryStream(tar));
            LayerTarEntry e = (await reader.GetNextEntryAsync())!;
            Assert.Equal(1_000_016, e.Size);
            var data = new MemoryStream();
            await e.DataStream!.CopyToAsync(data);
            byte[] bytes = data.ToArray();
            Assert.Equal("testing 1 2 3\n"u8.ToArray(), bytes[..14]);
            Assert.All(bytes[14..1_000_000], b => Assert.Equal(0, b));
            Assert.Equal("more data later\n"u8.ToArray(), bytes[1_000_000..]);
        }
    }

    [Fact]
    public async Task SparseFileWithNoAllocatedRangesIsAllZeros()
    {
        var layer = new MemoryLayer();
        var entry = new MemoryLayerEntry { Name = "Files\\hole", Info = new FileBasicInfo(1, 2, 3, 4, FileAttributes.SparseFile), FileId = 1, Size = 4096 };
        using (var w = new BackupStreamWriter(entry.Content, leaveOpen: true))
        {
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.Data, BackupStreamAttributes.Sparse, 0));
            w.WriteHeader(new BackupStreamHeader(BackupStreamId.SparseBlock, BackupStreamAttributes.Sparse, 0, "", 4096));
        }

        entry.Content.Position = 0;
        layer.Entries.Add(entry);
        MemoryLayer back = await ImportAsync(await ExportAsync(layer));
        Assert.Equal(4096, back.Entries[0].Size);
    }

    [Fact]
    public async Task SizeMismatchIsReportedWithTheEntryName()
    {
        var layer = new MemoryLayer();
        var entry = new MemoryLayerEntry { Name = "Files\\bad", Info = new FileBasicInfo(1, 2, 3, 4, 0), FileId = 1, Size = 5 };
        using (var w = new BackupStreamWriter(entry.Content, leaveOpen: true))
        {
            w.WriteStream(BackupStreamId.Data, "abc"u8);
        }

        entry.Content.Position = 0;
        layer.Entries.Add(entry);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ExportAsync(layer));
        Assert.Equal("Files/bad: mismatch between file size 5 and header size 3.", e.Message);
    }

    [Fact]
    public async Task UnsupportedReparseTagIsReportedLikeGoWinio()
    {
        var layer = new MemoryLayer();
        var entry = new MemoryLayerEntry { Name = "Files\\dedup", Info = new FileBasicInfo(1, 2, 3, 4, FileAttributes.ReparsePoint), FileId = 1 };
        using (var w = new BackupStreamWriter(entry.Content, leaveOpen: true))
        {
            w.WriteStream(BackupStreamId.ReparseData, [0x07, 0x00, 0x00, 0xA0, 0, 0, 0, 0]);
        }

        entry.Content.Position = 0;
        layer.Entries.Add(entry);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ExportAsync(layer));
        Assert.Equal("Files/dedup: unsupported reparse point a0000007.", e.Message);
    }

    [Fact]
    public async Task ProgressAndCancellation()
    {
        MemoryLayer layer = LayerGen.Build(LayerGen.Layer.Single(l => l.Count > 5, seed: "0000ZZZZZZZZ"));
        byte[] tar = await ExportAsync(layer);
        var reports = new List<LayerProgress>();
        using (var writer = new MemoryLayerWriter())
        {
            await OciLayer.WriteLayerFromTarAsync(new MemoryStream(tar), writer, new SyncProgress(reports.Add));
        }

        Assert.Equal(layer.Entries.Count, reports.Count);
        Assert.Equal(Enumerable.Range(1, reports.Count).Select(i => (long)i), reports.Select(r => r.Entries));

        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        using var w2 = new MemoryLayerWriter();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => OciLayer.WriteLayerFromTarAsync(new MemoryStream(tar), w2, cancellationToken: cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => OciLayer.WriteTarFromLayerAsync(layer.OpenReader(), Stream.Null, cancellationToken: cts.Token));
    }

    private static List<BackupStreamId> StreamIds(MemoryLayerEntry entry)
    {
        var ids = new List<BackupStreamId>();
        using var reader = new BackupStreamReader(new MemoryStream(entry.Content.ToArray()));
        while (reader.ReadNextHeader() is { } h)
        {
            ids.Add(h.Id);
        }

        return ids;
    }

    private sealed class SyncProgress(Action<LayerProgress> report) : IProgress<LayerProgress>
    {
        public void Report(LayerProgress value) => report(value);
    }
}
