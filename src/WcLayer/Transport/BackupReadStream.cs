using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace WcLayer.Transport;

/// <summary>
/// Reads a file or directory as a Win32 backup stream with <c>BackupRead</c> (go-winio's <c>BackupFileReader</c>).
/// Disposing aborts the backup context and disposes the owned content stream, if any, never the handle otherwise.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class BackupReadStream : ReadOnlyStream
{
    private readonly SafeFileHandle _handle;
    private readonly FileStream? _owned;
    private readonly bool _processSecurity;
    private readonly string _path;
    private nint _context;
    private bool _disposed;

    public BackupReadStream(SafeFileHandle handle, FileStream? owned, bool processSecurity, string pathForMessages)
    {
        _handle = handle;
        _owned = owned;
        _processSecurity = processSecurity;
        _path = pathForMessages;
    }

    public override bool CanRead => !_disposed;

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        uint read = 0;
        fixed (byte* p = buffer)
        fixed (nint* context = &_context)
        {
            if (!Interop.Kernel32.BackupRead(_handle, p, (uint)buffer.Length, &read, abort: false, _processSecurity, context))
            {
                throw new LayerPathException("BackupRead", _path, Marshal.GetLastPInvokeError());
            }
        }

        return (int)read;
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed)
        {
            _disposed = true;
            Abort(_handle, ref _context, write: false);
            if (disposing)
            {
                _owned?.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Frees a BackupRead/BackupWrite context (the abort call never fails in a way that matters: go-winio ignores it too).</summary>
    internal static void Abort(SafeFileHandle handle, ref nint context, bool write)
    {
        if (context == 0 || handle.IsClosed)
        {
            context = 0;
            return;
        }

        uint n = 0;
        fixed (nint* c = &context)
        {
            _ = write
                ? Interop.Kernel32.BackupWrite(handle, null, 0, &n, abort: true, processSecurity: false, c)
                : Interop.Kernel32.BackupRead(handle, null, 0, &n, abort: true, processSecurity: false, c);
        }

        context = 0;
    }
}
