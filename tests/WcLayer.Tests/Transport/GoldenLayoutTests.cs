using System.Text;
using Microsoft.Win32.SafeHandles;
using WcLayer.Oci;
using WcLayer.Tests.Samples;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Tests.Transport;

/// <summary>
/// The on-disk transport format must not drift: the sample layer written to a folder is listed byte for byte (names,
/// attribute prefixes, stream headers, stored metadata) and compared with <c>golden-layout.txt</c>. Regenerate with
/// <c>WCLAYER_UPDATE_SAMPLES=1</c>.
/// </summary>
public class GoldenLayoutTests
{
    private static string GoldenPath => Path.Combine(RepositoryRoot.Path, "tests", "WcLayer.Tests", "Transport", "golden-layout.txt");

    [Fact]
    public async Task SampleLayerFolderMatchesTheGoldenListing()
    {
        using var folder = new TransportTestFolder();
        await using (FileStream tar = File.OpenRead(Path.Combine(RepositoryRoot.Path, "samples", "sample-layer.tar")))
        using (var writer = new TransportLayerWriter(folder.Layer, [folder.Parent], folder.Layer, new TransportLayerWriterOptions { ImportFolderIsLayer = true }))
        {
            await OciLayer.WriteLayerFromTarAsync(tar, writer);
            writer.Commit();
        }

        string listing = List(folder.Layer);
        if (Environment.GetEnvironmentVariable("WCLAYER_UPDATE_SAMPLES") == "1")
        {
            await File.WriteAllTextAsync(GoldenPath, listing);
        }

        Assert.Equal(await File.ReadAllTextAsync(GoldenPath), listing);
    }

    private static string List(string folder)
    {
        var text = new StringBuilder();
        text.Append("# path | kind | size | links | basic info (FILE_BASIC_INFO hex) | stored streams | content\n");
        using LayerRoot root = LayerRoot.Open(folder);
        var names = new List<string>();
        Collect(root, string.Empty, names);
        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            LayerFileStatus status = root.Stat(name)!.Value;
            using SafeFileHandle handle = root.OpenHandle(name, directory: status.IsDirectory);
            var info = new byte[FileBasicInfo.BinarySize];
            root.GetBasicInfo(handle)?.WriteTo(info);
            byte[]? streams = ((UnixLayerRoot)root).GetStreams(handle, name);
            string content = string.Empty;
            if (!status.IsDirectory)
            {
                using FileStream file = root.OpenFile(name);
                var bytes = new byte[Math.Min(file.Length, 160)];
                file.ReadExactly(bytes);
                content = Convert.ToHexStringLower(bytes) + (file.Length > bytes.Length ? "…" : string.Empty);
            }

            text.Append(name.Replace('\\', '/')).Append(" | ")
                .Append(status.Kind).Append(" | ")
                .Append(status.IsDirectory ? 0 : status.Size).Append(" | ")
                .Append(status.IsDirectory ? 0 : status.NumberOfLinks).Append(" | ")
                .Append(Convert.ToHexStringLower(info)).Append(" | ")
                .Append(streams is null ? "-" : Convert.ToHexStringLower(streams)).Append(" | ")
                .Append(content).Append('\n');
        }

        return text.ToString();
    }

    private static void Collect(LayerRoot root, string directory, List<string> names)
    {
        foreach ((string name, bool isDirectory) in root.List(directory))
        {
            string path = directory.Length == 0 ? name : directory + "/" + name;
            names.Add(path);
            if (isDirectory)
            {
                Collect(root, path, names);
            }
        }
    }
}
