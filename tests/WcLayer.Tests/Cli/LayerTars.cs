using System.Security.Cryptography;
using WcLayer.Oci;
using WcLayer.Tests.Samples;
using WcLayer.Tests.Support;

namespace WcLayer.Tests.Cli;

/// <summary>Layer tars for the store commands, and a comparison of tars by what they mean rather than by their bytes.</summary>
public static class LayerTars
{
    /// <summary>The deleted file the sample's whiteout names: the base must have it, or the whiteout deletes nothing.</summary>
    public const string WhitedOutFile = "Files/Windows/Temp/setup.log";

    /// <summary>
    /// A base layer for the sample: the sample without its whiteout and hard link (a base layer cannot delete, and
    /// links of a base layer are a separate test), plus the file the sample deletes.
    /// </summary>
    public static async Task<byte[]> CreateBaseAsync()
    {
        var writer = new MemoryLayerWriter();
        await OciLayer.WriteLayerFromTarAsync(new MemoryStream(await SampleLayer.CreateAsync()), writer);
        writer.Commit();
        MemoryLayer sample = writer.Committed!;
        var layer = new MemoryLayer();
        foreach (MemoryLayerEntry entry in sample.Entries.Where(e => e.Info is not null && e.LinkTarget is null))
        {
            layer.Entries.Add(entry);
            if (entry.Name == @"Files\Windows\Temp")
            {
                MemoryLayerEntry hosts = sample[@"Files\Windows\System32\drivers\etc\hosts"];
                var setupLog = new MemoryLayerEntry { Name = WhitedOutFile.Replace('/', '\\'), Info = hosts.Info, Size = hosts.Size, FileId = 1000 };
                setupLog.Content.Write(hosts.Content.ToArray());
                setupLog.Content.Position = 0;
                layer.Entries.Add(setupLog);
            }
        }

        using var tar = new MemoryStream();
        await OciLayer.WriteTarFromLayerAsync(layer.OpenReader(), tar);
        return tar.ToArray();
    }

    /// <summary>A tar with no entries (two zero blocks, as GNU tar writes for an empty archive).</summary>
    public static byte[] Empty { get; } = new byte[1024];

    /// <summary>
    /// Describes every entry of a tar on one line (all metadata and a hash of the data), sorted by name. The names of a file with several links all show the file, marked <c>linked</c>: which name
    /// a tar carries the data under depends only on the order the exporter walked them.
    /// </summary>
    public static async Task<string[]> DescribeAsync(byte[] tar)
    {
        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
        var links = new List<(string Name, string Target)>();
        await using var reader = new LayerTarReader(new MemoryStream(tar));
        while (await reader.GetNextEntryAsync() is { } e)
        {
            if (e.EntryType == LayerTarEntryType.HardLink)
            {
                links.Add((e.Name, e.LinkTarget!));
                continue;
            }

            string data = e.DataStream is { } s ? Convert.ToHexString(await SHA256.HashDataAsync(s))[..16] : "-";
            string sd = e.SecurityDescriptor is { } b ? Convert.ToBase64String(b) : "-";
            string eas = string.Join(",", e.ExtendedAttributes.Select(a => a.Name + "=" + Convert.ToBase64String(a.Value.Span)));
            descriptions[e.Name] = $"{e.EntryType} {e.FileInfo} size={e.Size} link={e.LinkTarget} sd={sd} ea={eas} data={data}";
        }

        foreach ((string name, string target) in links)
        {
            descriptions[target] = descriptions[target].EndsWith(" linked", StringComparison.Ordinal) ? descriptions[target] : descriptions[target] + " linked";
            descriptions[name] = descriptions[target];
        }

        return [.. descriptions.Select(d => $"{d.Key} {d.Value}").Order(StringComparer.Ordinal)];
    }
}
