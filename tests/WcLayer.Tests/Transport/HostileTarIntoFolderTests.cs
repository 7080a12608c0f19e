using System.Formats.Tar;
using WcLayer.Oci;
using WcLayer.Transport;

namespace WcLayer.Tests.Transport;

/// <summary>Tars that try to escape, written into a real transport folder: the canary outside is never touched.</summary>
public sealed class HostileTarIntoFolderTests : IDisposable
{
    private readonly TransportTestFolder _folder = new();

    public void Dispose()
    {
        _folder.AssertCanaryUntouched();
        _folder.Dispose();
    }

    public static TheoryData<string, TarEntryType, string?> Cases => new()
    {
        { "Files/../canary/secret", TarEntryType.RegularFile, null },
        { "../canary/secret", TarEntryType.RegularFile, null },
        { "/tmp/canary/secret", TarEntryType.RegularFile, null },
        { "Files/a\\..\\..\\canary\\secret", TarEntryType.RegularFile, null },
        { "Files/link", TarEntryType.HardLink, "../canary/secret" },
        { "Files/.wh..", TarEntryType.RegularFile, null },
        { "Files/sym", TarEntryType.SymbolicLink, "../../canary" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EscapesAreRefusedOrStayInside(string name, TarEntryType type, string? link)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "Files"));
            var entry = new PaxTarEntry(type, name);
            if (link is not null)
            {
                entry.LinkName = link;
            }

            if (type == TarEntryType.RegularFile)
            {
                entry.DataStream = new MemoryStream("pwned"u8.ToArray());
            }

            writer.WriteEntry(entry);
            // Something written through the symlink, if it were followed.
            var through = new PaxTarEntry(TarEntryType.RegularFile, "Files/sym/secret") { DataStream = new MemoryStream("pwned"u8.ToArray()) };
            writer.WriteEntry(through);
        }

        tar.Position = 0;
        using var layer = new TransportLayerWriter(_folder.Layer, [_folder.Parent], _folder.Layer, new TransportLayerWriterOptions { ImportFolderIsLayer = true });
        try
        {
            await OciLayer.WriteLayerFromTarAsync(tar, layer);
            layer.Commit();
        }
        catch (Exception e) when (e is InvalidDataException or LayerPathException)
        {
            // Refused: fine. What matters is below and in Dispose: nothing outside was touched.
        }

        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_folder.Root, "*", SearchOption.AllDirectories), p => File.Exists(p) && File.ReadAllText(p) == "pwned" && !p.StartsWith(_folder.Layer, StringComparison.Ordinal));
    }
}
