using System.Diagnostics;

namespace WcLayer.Hcs;

/// <summary>
/// hcsshim's reader wrapper: reads a temporary HCS export folder and, when disposed, deletes it and ends the
/// <c>hcsshim::NewLayerReader</c> activity.
/// </summary>
internal sealed class ExportFolderReader : ILayerReader
{
    private readonly ILayerReader _inner;
    private readonly string _exportPath;
    private readonly Activity? _activity;
    private bool _disposed;

    internal ExportFolderReader(ILayerReader inner, string exportPath, Activity? activity)
    {
        _inner = inner;
        _exportPath = exportPath;
        _activity = activity;
    }

    public LayerEntry? Next() => _inner.Next();

    public int Read(Span<byte> buffer) => _inner.Read(buffer);

    public LayerLinkInfo GetLinkInfo() => _inner.GetLinkInfo();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _inner.Dispose();
        }
        catch (Exception e)
        {
            _activity.SetError(e);
            throw;
        }
        finally
        {
            TryDelete(_exportPath);
            _activity?.Dispose();
        }
    }

    /// <summary>Removes the export folder; as hcsshim, a failure to remove it is not an error of the operation.</summary>
    internal static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
