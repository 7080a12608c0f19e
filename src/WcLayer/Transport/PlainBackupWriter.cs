namespace WcLayer.Transport;

/// <summary>A write-only stream that restores a Win32 backup stream into a file or directory kept plain (<c>BackupWrite</c>).</summary>
internal abstract class PlainBackupWriter : WriteOnlyStream
{
    /// <summary>Checks that the stream ended between streams and finishes the restore.</summary>
    public abstract void Complete();
}
