using CsCheck;
using WcLayer.Oci;
using WcLayer.Tests.Oci;
using WcLayer.Tests.Support;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Tests.Transport;

public class TransportRoundTripTests
{
    private static readonly TransportLayerWriterOptions Portable = new() { ImportFolderIsLayer = true };

    internal static void Write(MemoryLayer layer, TransportTestFolder folder)
    {
        using var writer = new TransportLayerWriter(folder.Layer, [folder.Parent], folder.Layer, Portable);
        using MemoryLayerReader reader = layer.OpenReader();
        while (reader.Next() is { } entry)
        {
            MemoryLayerEntry source = layer[entry.Name];
            if (entry.FileInfo is null)
            {
                writer.Remove(entry.Name);
            }
            else if (source.LinkTarget is not null)
            {
                writer.AddLink(entry.Name, source.LinkTarget);
            }
            else
            {
                writer.Add(entry.Name, entry.FileInfo.Value);
                writer.Write(source.Content.ToArray());
            }
        }

        writer.Commit();
    }

    internal static List<(LayerEntry Entry, byte[] Content, LayerLinkInfo? Link)> ReadAll(string folder)
    {
        var entries = new List<(LayerEntry, byte[], LayerLinkInfo?)>();
        using var reader = new TransportLayerReader(folder);
        while (reader.Next() is { } entry)
        {
            var content = new MemoryStream();
            var buffer = new byte[7];
            int n;
            while ((n = reader.Read(buffer)) > 0)
            {
                content.Write(buffer, 0, n);
            }

            entries.Add((entry, content.ToArray(), entry.IsTombstone ? null : reader.GetLinkInfo()));
        }

        return entries;
    }

    [Fact]
    public void GeneratedLayersRoundTripThroughAFolderInWalkOrder() =>
        LayerGen.Layer.Sample(entries =>
        {
            using var folder = new TransportTestFolder();
            MemoryLayer layer = LayerGen.Build(entries);
            Write(layer, folder);
            List<(LayerEntry Entry, byte[] Content, LayerLinkInfo? Link)> read = ReadAll(folder.Layer);

            Assert.Equal(layer.Entries.Select(e => e.Name).Order(StringComparer.Ordinal), read.Select(r => r.Entry.Name).Order(StringComparer.Ordinal));
            foreach ((LayerEntry entry, byte[] content, LayerLinkInfo? link) in read)
            {
                MemoryLayerEntry expected = layer[entry.Name];
                MemoryLayerEntry source = expected.LinkTarget is null ? expected : layer[expected.LinkTarget];
                Assert.Equal(expected.Info, entry.FileInfo);
                if (!entry.IsTombstone)
                {
                    Assert.Equal(source.Size, entry.Size);
                    Assert.True(source.Content.ToArray().AsSpan().SequenceEqual(content), $"content of {entry.Name}");
                    uint names = (uint)layer.Entries.Count(e => e.Info is not null && e.FileId == source.FileId);
                    Assert.Equal(names, link!.Value.NumberOfLinks);
                }
            }

            AssertWalkOrder(read.Select(r => r.Entry).ToList());
            folder.AssertCanaryUntouched();
        }, iter: 40);

    [Fact]
    public async Task TarThroughAFolderAndBackIsTheSameTar()
    {
        foreach (string seed in new[] { "0000ZZZZZZZZ", "f-9wpuhSY9M1", "byb_A6C3Nkv1" })
        {
            using var folder = new TransportTestFolder();
            MemoryLayer layer = LayerGen.Build(LayerGen.Layer.Single(_ => true, seed: seed));
            byte[] tar1 = await LayerRoundTripTests.ExportAsync(layer);

            using (var writer = new TransportLayerWriter(folder.Layer, [folder.Parent], folder.Layer, Portable))
            {
                await OciLayer.WriteLayerFromTarAsync(new MemoryStream(tar1), writer);
                writer.Commit();
            }

            var tar2 = new MemoryStream();
            using (var reader = new TransportLayerReader(folder.Layer))
            {
                await OciLayer.WriteTarFromLayerAsync(reader, tar2);
            }

            AssertSameEntries(tar1, tar2.ToArray());
        }
    }

    [Fact]
    public void SpecExampleWalkOrder()
    {
        using var folder = new TransportTestFolder();
        string l = folder.Layer;
        Directory.CreateDirectory(Path.Combine(l, "Files", "dir"));
        Directory.CreateDirectory(Path.Combine(l, "Hives"));
        WritePrefixed(Path.Combine(l, "Files", "a.txt"), 0x20, "a");
        WritePrefixed(Path.Combine(l, "Files", "dir.$wcidirs$"), 0x10, null);
        WritePrefixed(Path.Combine(l, "Files", "dir", "b.txt"), 0x20, "bb");
        File.WriteAllBytes(Path.Combine(l, "Hives", "Sam_Delta"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(l, "Hives", "System_Delta"), [4]);
        File.WriteAllText(Path.Combine(l, "tombstones.txt"), "\uFEFFVersion 1.0\r\n\\old.txt\r\n\r\n\\dir\\gone\r\n\\missing\\x\r\n");

        var read = ReadAll(l);
        Assert.Equal(
            ["Files", @"Files\old.txt", @"Files\a.txt", @"Files\dir", @"Files\dir\gone", @"Files\dir\b.txt", "Hives", @"Hives\Sam_Delta", @"Hives\System_Delta", @"Files\missing\x"],
            read.Select(r => r.Entry.Name));
        Assert.True(read[1].Entry.IsTombstone);
        Assert.Equal(1, read[2].Entry.Size);
        Assert.Equal((FileAttributes)0x20, read[2].Entry.FileInfo!.Value.FileAttributes);
        Assert.Equal(2, read[5].Entry.Size);
        Assert.Equal(3, read[7].Entry.Size);
        Assert.True(read[9].Entry.IsTombstone);
        using var stream = new BackupStreamReader(new MemoryStream(read[7].Content));
        Assert.Equal(new BackupStreamHeader(BackupStreamId.Data, 0, 3), stream.ReadNextHeader());
    }

    [Fact]
    public void HcsExportTimeRulesApplyOnlyWhenAsked()
    {
        using var folder = new TransportTestFolder();
        var info = new FileBasicInfo(100, 200, 300, 400, FileAttributes.Archive);
        using (var writer = new TransportLayerWriter(folder.Layer, [folder.Parent], folder.Layer, Portable))
        {
            writer.Add("Hives", info with { FileAttributes = FileAttributes.Directory });
            writer.Add(@"Hives\System_Delta", new FileBasicInfo(1, 2, 3, 4, FileAttributes.Archive));
            writer.Write(Stream(BackupStreamId.Data, [9]));
            writer.Add(@"Hives\Sam_Delta", info);
            writer.Commit();
        }

        Assert.Equal(info, ReadAll(folder.Layer).Single(r => r.Entry.Name == @"Hives\Sam_Delta").Entry.FileInfo);
        using var reader = new TransportLayerReader(folder.Layer, new TransportLayerReaderOptions { HcsExportTimeRules = true });
        Assert.Equal(new FileBasicInfo(3, 3, 3, 4, FileAttributes.Directory), reader.Next()!.FileInfo);
        Assert.Equal(new FileBasicInfo(300, 300, 300, 400, FileAttributes.Archive), reader.Next()!.FileInfo); // Sam_Delta sorts first
        Assert.Equal(new FileBasicInfo(3, 3, 3, 4, FileAttributes.Archive), reader.Next()!.FileInfo);
    }

    internal static byte[] Stream(BackupStreamId id, byte[] data, string name = "")
    {
        var output = new MemoryStream();
        using (var writer = new BackupStreamWriter(output, leaveOpen: true))
        {
            writer.WriteStream(id, data, name);
        }

        return output.ToArray();
    }

    private static void WritePrefixed(string path, uint attributes, string? data)
    {
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes(attributes));
        if (data is not null)
        {
            file.Write(Stream(BackupStreamId.Data, System.Text.Encoding.ASCII.GetBytes(data)));
        }
    }

    private static void AssertWalkOrder(List<LayerEntry> entries)
    {
        // A directory comes before everything below it, and siblings are in UTF-8 byte order.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (LayerEntry e in entries)
        {
            int slash = e.Name.LastIndexOf('\\');
            if (slash > 0)
            {
                Assert.Contains(e.Name[..slash], seen);
            }

            seen.Add(e.Name);
        }
    }

    private static void AssertSameEntries(byte[] expectedTar, byte[] actualTar)
    {
        static List<(string Name, LayerTarEntryType Type, long Size, FileBasicInfo Info, string? Sd, string Eas, string? Target, string Data)> Decode(byte[] tar)
        {
            var list = new List<(string, LayerTarEntryType, long, FileBasicInfo, string?, string, string?, string)>();
            using var reader = new LayerTarReader(new MemoryStream(tar));
            while (reader.GetNextEntry() is { } e)
            {
                var data = new MemoryStream();
                e.DataStream?.CopyTo(data);
                string? target = e.EntryType == LayerTarEntryType.HardLink ? null : e.LinkTarget;
                LayerTarEntryType type = e.EntryType == LayerTarEntryType.HardLink ? LayerTarEntryType.File : e.EntryType;
                list.Add((e.Name, type, e.EntryType == LayerTarEntryType.HardLink ? -1 : e.Size, e.FileInfo,
                    e.SecurityDescriptor is null ? null : Convert.ToHexString(e.SecurityDescriptor),
                    string.Join(",", e.ExtendedAttributes.Select(a => a.Name + "=" + Convert.ToHexString(a.Value.Span))), target,
                    e.EntryType == LayerTarEntryType.HardLink ? "" : Convert.ToHexString(data.ToArray())));
            }

            return list;
        }

        // Hard-link direction depends on which name comes first; compare everything else.
        var expected = Decode(expectedTar).Where(e => e.Size >= 0).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        var actual = Decode(actualTar).Where(e => e.Size >= 0).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        var expectedLinks = Decode(expectedTar).Count(e => e.Size < 0);
        Assert.Equal(expectedLinks, Decode(actualTar).Count(e => e.Size < 0));
        Assert.Equal(expected.Select(e => e.Name), actual.Select(e => e.Name));
        Assert.Equal(expected.Where(e => e.Size >= 0 && !expectedLinkNames(expectedTar).Contains(e.Name)).Select(e => e.ToString()),
            actual.Where(e => e.Size >= 0 && !expectedLinkNames(expectedTar).Contains(e.Name)).Select(e => e.ToString()));

        static HashSet<string> expectedLinkNames(byte[] tar)
        {
            // Names that are hard links in either direction may swap between full entry and link entry.
            var names = new HashSet<string>(StringComparer.Ordinal);
            using var reader = new LayerTarReader(new MemoryStream(tar));
            while (reader.GetNextEntry() is { } e)
            {
                if (e.EntryType == LayerTarEntryType.HardLink)
                {
                    names.Add(e.Name);
                    names.Add(e.LinkTarget!);
                }
            }

            return names;
        }
    }
}
