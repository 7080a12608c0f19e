using WcLayer.Portable;

namespace WcLayer.Cli;

/// <summary>Checks the layers named on the command line before any work, so a wrong path is reported as such, in the terms of the OS the user is on.</summary>
internal static class LayerPaths
{
    /// <summary>Throws when <paramref name="path"/> is not a layer of <paramref name="store"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The absolute layer path.</param>
    /// <exception cref="CommandFailedException">The path does not exist or is not a layer.</exception>
    public static void RequireLayer(ILayerStore store, string path)
    {
        if (!Directory.Exists(path))
        {
            throw new CommandFailedException(File.Exists(path)
                ? $"not a layer: {path} is a file (a layer is a folder)"
                : $"no such layer: {path} does not exist");
        }

        if (!store.LayerExists(path))
        {
            throw new CommandFailedException(OperatingSystem.IsWindows()
                ? $"not a layer: {path} (layers are made by 'wclayer import' or 'wclayer create')"
                : $"not a layer: {path} has no {LayerMetadata.FileName} (layers are made by 'wclayer import' or 'wclayer create')");
        }
    }

    /// <summary>Throws when one of <paramref name="paths"/> is not a layer.</summary>
    /// <param name="store">The store.</param>
    /// <param name="paths">The absolute layer paths.</param>
    public static void RequireLayers(ILayerStore store, IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            RequireLayer(store, path);
        }
    }

    /// <summary>Throws when a new layer cannot be made at <paramref name="path"/>: it already holds a layer or other files.</summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The absolute path of the new layer.</param>
    public static void RequireNewLayerPath(ILayerStore store, string path)
    {
        if (File.Exists(path))
        {
            throw new CommandFailedException($"{path} is a file; name a new folder for the layer");
        }

        if (Directory.Exists(path) && store.LayerExists(path))
        {
            throw new CommandFailedException($"the layer {path} already exists; remove it with 'wclayer remove' or choose another path");
        }

        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new CommandFailedException($"{path} is not empty; a new layer needs a new or empty folder");
        }
    }
}
