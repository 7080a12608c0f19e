using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>The store's own files in a layer folder, beside the transport format; readers skip them.</summary>
internal static class PortableLayerFiles
{
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        LayerMetadata.FileName,
        LayerMetadata.FileName + ".tmp",
        LayerChain.FileName,
        ScratchHolds.FolderName,
        ViewManifest.FileName,
        ViewManifest.FileName + ".tmp",
        "mount",
        "bcd.bak",
        "bcd.log.bak",
        "bcd.log1.bak",
        "bcd.log2.bak",
    };

    public static TransportLayerReader OpenReader(string path) =>
        new(path, new TransportLayerReaderOptions { SkippedRootNames = Reserved });
}
