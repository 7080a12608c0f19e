using WcLayer.Oci;
using WcLayer.Tests.Samples;
using WcLayer.Win32;

namespace WcLayer.Tests.Ergonomics;

/// <summary>The public tar writer writes what <see cref="OciLayer.WriteTarFromLayerAsync"/> writes, entry by entry.</summary>
public sealed class LayerTarWriterTests
{
    [Fact]
    public async Task RewritingTheSampleEntryByEntryGivesTheSameBytes()
    {
        byte[] sample = await SampleLayer.CreateAsync();
        using var output = new MemoryStream();

        await using (var reader = new LayerTarReader(new MemoryStream(sample)))
        await using (var writer = new LayerTarWriter(output, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                switch (entry.EntryType)
                {
                    case LayerTarEntryType.Directory:
                        await writer.WriteDirectoryAsync(entry.Name, entry.FileInfo, entry.SecurityDescriptor, entry.ExtendedAttributes);
                        break;
                    case LayerTarEntryType.File:
                        await writer.WriteFileAsync(entry.Name, entry.FileInfo, entry.DataStream ?? Stream.Null, entry.Size, entry.SecurityDescriptor, entry.ExtendedAttributes);
                        break;
                    case LayerTarEntryType.AlternateDataStream:
                        await writer.WriteAlternateDataStreamAsync(entry.StreamName!, entry.DataStream!, entry.Size);
                        break;
                    case LayerTarEntryType.SymbolicLink or LayerTarEntryType.Junction:
                        ReparsePoint link = ReparsePoint.Create(entry.LinkTarget!, entry.EntryType == LayerTarEntryType.Junction);
                        await writer.WriteLinkAsync(entry.Name, entry.FileInfo, link, entry.SecurityDescriptor, entry.ExtendedAttributes);
                        break;
                    case LayerTarEntryType.HardLink:
                        await writer.WriteHardLinkAsync(entry.Name, entry.FileInfo, entry.LinkTarget!);
                        break;
                    case LayerTarEntryType.Whiteout:
                        await writer.WriteWhiteoutAsync(entry.WhiteoutTarget!);
                        break;
                }
            }
        }

        Assert.Equal(sample, output.ToArray());
    }

    [Fact]
    public async Task ShortDataNamesTheEntry()
    {
        await using var writer = new LayerTarWriter(new MemoryStream());

        InvalidDataException e = await Assert.ThrowsAsync<InvalidDataException>(
            async () => await writer.WriteFileAsync("Files/a.txt", FileBasicInfo.FromTime(DateTimeOffset.UnixEpoch, FileAttributes.Archive), new MemoryStream([1, 2]), 5));

        Assert.Equal("Files/a.txt: the data ended after 2 of 5 bytes.", e.Message);
    }

    [Fact]
    public async Task HostileNamesAreRefused()
    {
        await using var writer = new LayerTarWriter(new MemoryStream());

        await Assert.ThrowsAsync<InvalidDataException>(async () => await writer.WriteWhiteoutAsync("/etc/passwd"));
        await Assert.ThrowsAsync<InvalidDataException>(async () => await writer.WriteDirectoryAsync("Files/../../x", default));
    }
}
