using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Hcs;

/// <summary>
/// hcsshim's <c>baseLayerReader</c>: a layer without parents is read straight from its folder, with no HCS call and
/// no privilege enabled. It yields <c>Files</c> and everything below it (<c>Files\$Recycle.Bin</c> skipped), then,
/// when <c>UtilityVM\Files</c> exists, <c>UtilityVM</c>, <c>UtilityVM\Files</c> and everything below that; nothing
/// else (no <c>Hives</c>, no other <c>UtilityVM</c> children). Names come depth first in byte-wise UTF-8 order, as
/// Go's <c>filepath.Walk</c>; each entry is its backup stream with the security descriptor, its size the data size.
/// </summary>
/// <remarks>
/// Reparse points (junctions, symbolic links) are entries, read with their reparse data and never followed. Disposing
/// ends the <c>hcsshim::NewLayerReader</c> activity.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed class BaseLayerReader : ILayerReader
{
    private readonly LayerRoot _root;
    private readonly Activity? _activity;
    private readonly Stack<WalkFrame> _stack = new();
    private bool _utilityVMStarted;
    private Stream? _current;
    private SafeFileHandle? _currentHandle;
    private SafeFileHandle? _ownedHandle;
    private string? _currentName;
    private bool _disposed;

    /// <param name="root">The layer folder, owned by the reader.</param>
    /// <param name="activity">The <c>hcsshim::NewLayerReader</c> activity, ended when the reader is disposed.</param>
    internal BaseLayerReader(LayerRoot root, Activity? activity)
    {
        _root = root;
        _activity = activity;
        _stack.Push(new WalkFrame(string.Empty, [(TransportPath.Files, true)]));
    }

    /// <inheritdoc/>
    public LayerEntry? Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CloseCurrent();
        while (true)
        {
            if (!_stack.TryPeek(out WalkFrame? frame))
            {
                if (_utilityVMStarted || _root.Stat(TransportPath.UtilityVMFiles) is not { } files)
                {
                    // hcsshim: a UtilityVM without Files is not really a utility VM.
                    return null;
                }

                _utilityVMStarted = true;
                _stack.Push(new WalkFrame(TransportPath.UtilityVM, [("Files", files.IsDirectory)]));
                return Open(TransportPath.UtilityVM, isDirectory: true);
            }

            if (frame.Index >= frame.Children.Count)
            {
                _stack.Pop();
                continue;
            }

            (string childName, bool isDirectory) = frame.Children[frame.Index++];
            string name = TransportPath.Join(frame.Name, childName);
            if (isDirectory && string.Equals(name, TransportPath.RecycleBin, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            LayerEntry entry = Open(name, isDirectory);
            if (isDirectory)
            {
                _stack.Push(new WalkFrame(name, _root.ListInWalkOrder(name)));
            }

            return entry;
        }
    }

    /// <inheritdoc/>
    public int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _current is null ? 0 : _current.Read(buffer);
    }

    /// <inheritdoc/>
    public LayerLinkInfo GetLinkInfo()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_currentHandle is null)
        {
            throw new InvalidOperationException("There is no current entry.");
        }

        LayerFileStatus status = _root.Stat(_currentHandle, _root.Describe(_currentName!));
        return new LayerLinkInfo(status.NumberOfLinks, status.FileId);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            CloseCurrent();
            _root.Dispose();
        }
        finally
        {
            _activity?.Dispose();
        }
    }

    private LayerEntry Open(string name, bool isDirectory)
    {
        string path = _root.Describe(name);
        _currentName = name;
        bool directory = isDirectory || LayerCopier.IsDirectoryReparsePoint(_root, name);
        FileStream? content = directory ? null : _root.OpenFile(name);
        SafeFileHandle handle = content?.SafeFileHandle ?? (_ownedHandle = _root.OpenHandle(name, directory: true));
        FileBasicInfo info = _root.GetBasicInfoOrDefault(handle);
        long size = content is null ? 0 : _root.GetPlainSize(content, handle, path);
        _current = _root.OpenPlainBackupReader(content, handle, includeSecurity: true, path);
        _currentHandle = handle;
        return new LayerEntry(name, size, info);
    }

    private void CloseCurrent()
    {
        _current?.Dispose();
        _ownedHandle?.Dispose();
        _ownedHandle = null;
        _current = null;
        _currentHandle = null;
        _currentName = null;
    }
}
