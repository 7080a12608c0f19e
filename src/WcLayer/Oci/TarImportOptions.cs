namespace WcLayer.Oci;

/// <summary>Options of <see cref="OciLayer.WriteLayerFromTarAsync(Stream, ILayerWriter, TarImportOptions, IProgress{LayerProgress}?, CancellationToken)"/>.</summary>
public sealed class TarImportOptions
{
    /// <summary>
    /// Called for each of the four UtilityVM BCD files (<c>UtilityVM/Files/EFI/Microsoft/Boot/BCD</c>, <c>BCD.LOG</c>,
    /// <c>BCD.LOG1</c>, <c>BCD.LOG2</c>) with the backup file name hcsshim uses (<c>bcd.bak</c>, <c>bcd.log.bak</c>,
    /// <c>bcd.log1.bak</c>, <c>bcd.log2.bak</c>). The returned stream receives a pristine copy of the entry's backup
    /// stream before <c>ProcessUtilityVMImage</c> mutates the file, so a re-export can serve the original bytes
    /// (moby's <c>DiffGetter</c> does). The importer disposes the stream. <see langword="null"/> keeps no copies.
    /// </summary>
    public Func<string, Stream>? OpenMutatedFileBackup { get; init; }
}
