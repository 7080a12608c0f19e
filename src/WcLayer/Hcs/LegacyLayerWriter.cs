using System.Diagnostics;
using System.Runtime.Versioning;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Hcs;

/// <summary>
/// hcsshim's <c>legacyLayerWriterWrapper</c> (spec 8.6): the entries go to a temporary import folder in the
/// transport format (<see cref="TransportLayerWriter"/> in HCS staging mode); <see cref="Commit"/> finishes that
/// folder, runs HCS's <c>ImportLayer</c>, then deletes the tombstoned paths, creates the hard links, reapplies the
/// directory times and, with a utility VM, runs <c>ProcessUtilityVMImage</c>. The import folder is always removed.
/// </summary>
/// <remarks>
/// Disposing without <see cref="Commit"/> imports nothing (B8) and removes the import folder and the
/// <c>UtilityVM</c> folder the writer cloned into the layer. The file-system work runs with SeBackupPrivilege,
/// SeRestorePrivilege and SeSecurityPrivilege (those the token holds) enabled on the calling thread, call by call; ImportLayer enables them itself.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed class LegacyLayerWriter : ILayerWriter
{
    private readonly HcsLayerStore _store;
    private readonly string _path;
    private readonly string _hcsPath;
    private readonly string _importPath;
    private readonly IReadOnlyList<string> _parentLayerPaths;
    private readonly TransportLayerWriter _writer;
    private readonly Activity? _activity;
    private readonly bool _privileged;
    private bool _done;

    /// <param name="store">The store whose ImportLayer and ProcessUtilityVMImage run at commit.</param>
    /// <param name="path">The layer folder (it must exist).</param>
    /// <param name="hcsPath">The layer path given to HCS: hcsshim passes the <c>\\?\</c> long form.</param>
    /// <param name="parentLayerPaths">The parents, immediate parent first.</param>
    /// <param name="activity">The <c>hcsshim::NewLayerWriter</c> activity, ended at commit or dispose.</param>
    /// <exception cref="LayerPathException">A folder cannot be opened; the import folder is already removed (hcsshim HEAD).</exception>
    internal LegacyLayerWriter(HcsLayerStore store, string path, string hcsPath, IReadOnlyList<string> parentLayerPaths, Activity? activity)
    {
        _store = store;
        _path = path;
        _hcsPath = hcsPath;
        _parentLayerPaths = parentLayerPaths;
        _activity = activity;
        _privileged = OperatingSystem.IsWindows();
        _importPath = Directory.CreateTempSubdirectory("hcs").FullName;
        try
        {
            _writer = new TransportLayerWriter(_importPath, parentLayerPaths, path);
        }
        catch
        {
            ExportFolderReader.TryDelete(_importPath);
            throw;
        }
    }

    /// <summary>The temporary import folder.</summary>
    internal string ImportPath => _importPath;

    /// <inheritdoc/>
    public void Add(string name, FileBasicInfo info) => Run(() => _writer.Add(name, info));

    /// <inheritdoc/>
    public void AddLink(string name, string target) => Run(() => _writer.AddLink(name, target));

    /// <inheritdoc/>
    public void Remove(string name) => Run(() => _writer.Remove(name));

    /// <inheritdoc/>
    public unsafe void Write(ReadOnlySpan<byte> backupStreamBytes)
    {
        ThrowIfDone();
        if (!_privileged)
        {
            _writer.Write(backupStreamBytes);
            return;
        }

        fixed (byte* p = backupStreamBytes)
        {
            nint bytes = (nint)p;
            int length = backupStreamBytes.Length;
            Privileges.Run([Privileges.Backup, Privileges.Restore, Privileges.Security], () => _writer.Write(new ReadOnlySpan<byte>((byte*)bytes, length)));
        }
    }

    /// <inheritdoc/>
    public void Commit()
    {
        ThrowIfDone();
        _done = true;
        bool imported = false;
        try
        {
            Privileged(_writer.Commit);
            _store.ImportLayer(_hcsPath, _importPath, _parentLayerPaths);
            imported = true;
            Privileged(_writer.CompleteImport);
            if (_writer.HasUtilityVM)
            {
                EnsureUtilityVMIsNotReparsePoint();
                _store.ProcessUtilityVMImage(LayerPath.Join(_hcsPath, TransportPath.UtilityVM));
            }

            Finish(rollback: false);
        }
        catch (Exception e)
        {
            _activity.SetError(e);

            // After ImportLayer the layer belongs to HCS; before, only the cloned UtilityVM is ours to remove.
            Finish(rollback: !imported);
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

    private void EnsureUtilityVMIsNotReparsePoint()
    {
        using LayerRoot root = LayerRoot.Open(_path);
        if (root.Stat(TransportPath.UtilityVM) is not { IsDirectory: true })
        {
            throw new LayerPathException("open", root.Describe(TransportPath.UtilityVM), Win32Error.ReparsePointEncountered);
        }
    }

    private void Finish(bool rollback)
    {
        try
        {
            bool hadUtilityVM = _writer.HasUtilityVM;
            _writer.Dispose();
            if (rollback && hadUtilityVM)
            {
                try
                {
                    Privileged(() =>
                    {
                        using LayerRoot root = LayerRoot.Open(_path);
                        root.RemoveAll(TransportPath.UtilityVM);
                    });
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _activity?.AddEvent(new ActivityEvent("rollback failed", tags: new ActivityTagsCollection { ["error"] = e.Message }));
                }
            }
        }
        finally
        {
            ExportFolderReader.TryDelete(_importPath);
            _activity?.Dispose();
        }
    }

    private void Run(Action body)
    {
        ThrowIfDone();
        Privileged(body);
    }

    private void Privileged(Action body)
    {
        if (_privileged)
        {
            Privileges.Run([Privileges.Backup, Privileges.Restore, Privileges.Security], body);
        }
        else
        {
            // Off Windows (contract tests over the Unix seam) no file-system call needs a privilege.
            body();
        }
    }

    private void ThrowIfDone()
    {
        if (_done)
        {
            throw new ObjectDisposedException(nameof(LegacyLayerWriter), "The layer writer was committed or disposed; it cannot be used anymore.");
        }
    }
}
