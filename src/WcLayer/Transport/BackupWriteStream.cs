using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>
/// Restores a Win32 backup stream into a file or directory with <c>BackupWrite</c> (go-winio's
/// <c>BackupFileWriter</c>). It tracks the stream headers as the bytes pass, so <see cref="Complete"/> can tell a
/// stream cut in the middle of an entry from a complete one (BackupWrite itself accepts both).
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class BackupWriteStream : PlainBackupWriter
{
    private readonly SafeFileHandle _handle;
    private readonly bool _processSecurity;
    private readonly string _path;
    private readonly BackupStreamBoundary _boundary = new();
    private nint _context;
    private bool _done;

    /// <param name="handle">A handle opened with GENERIC_WRITE, and WRITE_DAC, WRITE_OWNER, ACCESS_SYSTEM_SECURITY to restore security.</param>
    /// <param name="processSecurity">Restore the security descriptor (spec 8.3: UtilityVM and base-layer entries yes, Hives no).</param>
    /// <param name="pathForMessages">The path for messages.</param>
    public BackupWriteStream(SafeFileHandle handle, bool processSecurity, string pathForMessages)
    {
        _handle = handle;
        _processSecurity = processSecurity;
        _path = pathForMessages;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_done)
        {
            throw new InvalidOperationException($"{_path}: the backup stream was already completed.");
        }

        _boundary.Advance(buffer, _path);
        while (!buffer.IsEmpty)
        {
            uint written = 0;
            fixed (byte* p = buffer)
            fixed (nint* context = &_context)
            {
                if (!Interop.Kernel32.BackupWrite(_handle, p, (uint)buffer.Length, &written, abort: false, _processSecurity, context))
                {
                    throw new LayerPathException("BackupWrite", _path, Marshal.GetLastPInvokeError());
                }
            }

            if (written == 0)
            {
                throw new LayerPathException("BackupWrite", _path, Win32Error.GenFailure, "not all bytes could be written");
            }

            buffer = buffer[(int)written..];
        }
    }

    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override void Complete()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        BackupReadStream.Abort(_handle, ref _context, write: true);
        if (!_boundary.AtBoundary)
        {
            throw new InvalidDataException($"{_path}: the backup stream ends inside a stream (header, name or data incomplete).");
        }
    }

    protected override void Dispose(bool disposing)
    {
        _done = true;
        BackupReadStream.Abort(_handle, ref _context, write: true);
        base.Dispose(disposing);
    }
}

/// <summary>Follows <c>WIN32_STREAM_ID</c> headers through a backup stream fed in arbitrary pieces.</summary>
internal sealed class BackupStreamBoundary
{
    private readonly byte[] _header = new byte[BackupStreamHeader.FixedSize];
    private int _headerFilled;
    private long _remaining;

    /// <summary>Whether the bytes so far end exactly after a stream (or are empty).</summary>
    public bool AtBoundary => _headerFilled == 0 && _remaining == 0;

    public void Advance(ReadOnlySpan<byte> bytes, string pathForMessages)
    {
        while (!bytes.IsEmpty)
        {
            if (_remaining > 0)
            {
                int skip = (int)Math.Min(_remaining, bytes.Length);
                _remaining -= skip;
                bytes = bytes[skip..];
                continue;
            }

            int take = Math.Min(_header.Length - _headerFilled, bytes.Length);
            bytes[..take].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += take;
            bytes = bytes[take..];
            if (_headerFilled == _header.Length)
            {
                long size = BinaryPrimitives.ReadInt64LittleEndian(_header.AsSpan(8));
                uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(16));
                if (size < 0 || size > long.MaxValue - nameSize)
                {
                    throw new InvalidDataException($"{pathForMessages}: backup stream header with negative size {size}.");
                }

                _remaining = size + nameSize;
                _headerFilled = 0;
            }
        }
    }
}
