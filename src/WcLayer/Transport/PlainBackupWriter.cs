namespace WcLayer.Transport;

/// <summary>A write-only stream that restores a Win32 backup stream into a file or directory kept plain (<c>BackupWrite</c>).</summary>
internal abstract class PlainBackupWriter : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Checks that the stream ended between streams and finishes the restore.</summary>
    public abstract void Complete();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
