namespace WcLayer.Transport;

/// <summary>Options of <see cref="TransportLayerReader"/>.</summary>
public sealed class TransportLayerReaderOptions
{
    /// <summary>
    /// The folder was written by HCS's <c>ExportLayer</c>: apply hcsshim's two time rules, which exist because HCS's
    /// own times are not deterministic: entries outside <c>Files\</c> report creation = access = write time, and the
    /// <c>Files</c> and <c>Hives</c> directories take their times from <c>Hives\System_Delta</c>. Off by default:
    /// layers of the portable store round-trip every time exactly.
    /// </summary>
    public bool HcsExportTimeRules { get; init; }

    /// <summary>Fail when <c>tombstones.txt</c> is missing, as hcsshim does for HCS exports. Off by default (no file: no tombstones).</summary>
    public bool RequireTombstonesFile { get; init; }

    /// <summary>
    /// Whether entries outside <c>Files\</c> (<c>Hives</c>, <c>UtilityVM</c>, kept plain) are read with their security
    /// descriptor. On by default (the portable store is lossless); the HCS store turns it off, as hcsshim's legacy
    /// reader reads those with <c>NewBackupFileReader(f, false)</c>.
    /// </summary>
    internal bool SecurityOutsideFiles { get; init; } = true;

    /// <summary>Top-level names that are not layer entries (the portable store's own files beside the transport format).</summary>
    internal IReadOnlySet<string> SkippedRootNames { get; init; } = new HashSet<string>();

    /// <summary>
    /// <c>Files\</c> is a plain tree (the portable store's format 2, <see cref="PlainFilesTree"/>): entries are read as
    /// plain files, symbolic links from their stored metadata; whiteouts and implicit directories are not entries.
    /// </summary>
    internal bool FilesArePlain { get; init; }
}
