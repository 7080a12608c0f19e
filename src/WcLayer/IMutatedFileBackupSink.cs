namespace WcLayer;

/// <summary>
/// A layer writer that keeps hcsshim's pristine copies of the UtilityVM BCD files (<c>bcd.bak</c>, …) inside the
/// layer it builds, instead of in the layer folder directly (which the portable store only creates at commit).
/// </summary>
internal interface IMutatedFileBackupSink
{
    /// <summary>Creates (truncating) the backup file <paramref name="name"/> in the layer being written.</summary>
    Stream OpenMutatedFileBackup(string name);
}
