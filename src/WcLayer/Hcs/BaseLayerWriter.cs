using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Hcs;

/// <summary>
/// hcsshim's <c>baseLayerWriter</c> (spec 9.1): a layer without parents is written straight into its folder
/// (<c>Files\…</c>, <c>UtilityVM\Files\…</c>) with the full basic info and <c>BackupWrite</c> restoring security, then
/// <see cref="Commit"/> reapplies the directory times (children first) and runs <c>ProcessBaseLayer</c> and, with a
/// utility VM, <c>ProcessUtilityVMImage</c>.
/// </summary>
/// <remarks>
/// Unlike hcsshim, a writer that fails or is disposed without a successful <see cref="Commit"/> removes the top-level
/// entries it created (DESIGN §3: never a partial layer), and after the first failure every call rethrows it (hcsshim
/// keeps the error only for Close). Names are cleaned before any comparison (B9). The file-system work runs with
/// SeBackupPrivilege, SeRestorePrivilege and SeSecurityPrivilege (those the token holds) enabled on the calling thread, call by call.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed class BaseLayerWriter : ILayerWriter
{
    private readonly HcsLayerStore _store;
    private readonly LayerRoot _root;
    private readonly Activity? _activity;
    private readonly List<(string Name, FileBasicInfo Info)> _directories = [];
    private readonly List<string> _created = [];
    private FileStream? _file;
    private SafeFileHandle? _handle;
    private PlainBackupWriter? _current;
    private ExceptionDispatchInfo? _error;
    private bool _hasUtilityVM;
    private bool _done;

    internal BaseLayerWriter(HcsLayerStore store, LayerRoot root, Activity? activity)
    {
        _store = store;
        _root = root;
        _activity = activity;
    }

    /// <inheritdoc/>
    public void Add(string name, FileBasicInfo info) => Sticky(() =>
    {
        CloseCurrent();
        name = Clean(name);
        if (name == TransportPath.UtilityVMFiles)
        {
            _hasUtilityVM = true;
        }

        string path = _root.Describe(name);
        if (info.IsDirectory)
        {
            _root.CreateDirectory(name);
            Created(name);
            _directories.Add((name, info));
            _handle = _root.OpenHandle(name, directory: true, write: true);
        }
        else
        {
            _file = _root.CreateFile(name);
            Created(name);
            _handle = _file.SafeFileHandle;
        }

        _root.SetBasicInfo(_handle, info, path);
        _current = _root.CreatePlainBackupWriter(_file, _handle, processSecurity: true, path);
    });

    /// <inheritdoc/>
    public void AddLink(string name, string target) => Sticky(() =>
    {
        CloseCurrent();
        name = Clean(name);
        _root.Link(Clean(target), _root, name);
        Created(name);
    });

    /// <inheritdoc/>
    public void Remove(string name)
    {
        ThrowIfDone();
        throw new InvalidDataException($"base layer cannot have tombstones: {name}");
    }

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> backupStreamBytes)
    {
        ThrowIfDone();
        _error?.Throw();
        PlainBackupWriter current = _current ?? throw new InvalidOperationException("closed: there is no current entry to write to (call Add first).");
        try
        {
            // BackupWrite restores owners and SACLs, which needs the privileges at the time of the call.
            if (_root is WindowsLayerRoot)
            {
                unsafe
                {
                    fixed (byte* p = backupStreamBytes)
                    {
                        nint bytes = (nint)p;
                        int length = backupStreamBytes.Length;
                        Privileges.Run([Privileges.Backup, Privileges.Restore, Privileges.Security], () => current.Write(new ReadOnlySpan<byte>((byte*)bytes, length)));
                    }
                }
            }
            else
            {
                current.Write(backupStreamBytes);
            }
        }
        catch (Exception e)
        {
            _error = ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    /// <inheritdoc/>
    public void Commit()
    {
        ThrowIfDone();
        try
        {
            _error?.Throw();
            Privileged(() =>
            {
                CloseCurrent();
                for (int i = _directories.Count - 1; i >= 0; i--)
                {
                    (string name, FileBasicInfo info) = _directories[i];
                    using SafeFileHandle handle = _root.OpenHandle(name, directory: true, write: true);
                    _root.SetBasicInfo(handle, info, _root.Describe(name));
                }
            });

            _store.ProcessBaseLayer(_root.FullPath);
            if (_hasUtilityVM)
            {
                if (_root.Stat(TransportPath.UtilityVM) is not { IsDirectory: true })
                {
                    throw new LayerPathException("open", _root.Describe(TransportPath.UtilityVM), Win32Error.ReparsePointEncountered);
                }

                _store.ProcessUtilityVMImage(LayerPath.Join(_root.FullPath, TransportPath.UtilityVM));
            }

            _done = true;
            Finish(rollback: false);
        }
        catch (Exception e)
        {
            _activity.SetError(e);
            _done = true;
            Finish(rollback: true);
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_done)
        {
            _done = true;
            Finish(rollback: true);
        }
    }

    private void Finish(bool rollback)
    {
        try
        {
            CloseCurrentQuietly();
            if (rollback)
            {
                try
                {
                    Privileged(() =>
                    {
                        for (int i = _created.Count - 1; i >= 0; i--)
                        {
                            _root.RemoveAll(_created[i]);
                        }
                    });
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The first error is the one to report; what is left is named on the activity.
                    _activity?.AddEvent(new ActivityEvent("rollback failed", tags: new ActivityTagsCollection { ["error"] = e.Message }));
                }
            }
        }
        finally
        {
            _root.Dispose();
            _activity?.Dispose();
        }
    }

    // Only top-level names: removing them removes everything below.
    private void Created(string name)
    {
        if (!name.Contains('\\', StringComparison.Ordinal))
        {
            _created.Add(name);
        }
    }

    private void CloseCurrent()
    {
        try
        {
            _current?.Complete();
        }
        finally
        {
            CloseCurrentQuietly();
        }
    }

    private void CloseCurrentQuietly()
    {
        _current?.Dispose();
        if (_file is null)
        {
            _handle?.Dispose();
        }

        _file?.Dispose();
        _current = null;
        _file = null;
        _handle = null;
    }

    private void Sticky(Action body)
    {
        ThrowIfDone();
        _error?.Throw();
        try
        {
            Privileged(body);
        }
        catch (Exception e)
        {
            _error = ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    // Off Windows (the contract tests drive this writer over the Unix seam), the vmcompute double stands in for HCS
    // and no file system call needs a privilege.
    private void Privileged(Action body)
    {
        if (_root is WindowsLayerRoot)
        {
            Privileges.Run([Privileges.Backup, Privileges.Restore, Privileges.Security], body);
        }
        else
        {
            body();
        }
    }

    private static string Clean(string name)
    {
        try
        {
            return TransportPath.Clean(name);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"invalid layer entry name: {e.Message}", e);
        }
    }

    private void ThrowIfDone()
    {
        if (_done)
        {
            throw new ObjectDisposedException(nameof(BaseLayerWriter), "The layer writer was committed or disposed; it cannot be used anymore.");
        }
    }
}
