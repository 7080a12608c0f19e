using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>The store's own files in a layer folder, beside <c>Files/</c>, <c>Hives/</c> and <c>UtilityVM/</c>; readers skip them.</summary>
internal static class PortableLayerFiles
{
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        LayerMetadata.FileName,
        LayerMetadata.FileName + ".tmp",
        LayerChain.FileName,
        HardLinkList.FileName,
        ScratchHolds.FolderName,
        ViewManifest.FileName,
        ViewManifest.FileName + ".tmp",
        "mount",
        "upper",
        "work",
        "lower-empty",
        MetadataBlobStore.FolderName,
        "bcd.bak",
        "bcd.log.bak",
        "bcd.log1.bak",
        "bcd.log2.bak",
    };

    public static TransportLayerReader OpenReader(string path) =>
        new(path, new TransportLayerReaderOptions { SkippedRootNames = Reserved, FilesArePlain = true });
}
