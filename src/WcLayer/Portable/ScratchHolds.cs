using System.Security.Cryptography;
using System.Text;
using WcLayer.Transport;

namespace WcLayer.Portable;

/// <summary>
/// Which prepared scratch layers stack on a layer: a file per scratch in the layer's <c>.wclayer-holds/</c> folder,
/// named by a hash of the scratch's path and holding that path. <c>PrepareLayer</c> adds one to each parent under
/// the parent's lock; <c>UnprepareLayer</c>, <c>DeactivateLayer</c> and destroying the scratch take them back.
/// <c>DestroyLayer</c> of a parent refuses while a hold names a scratch that is still prepared on it.
/// </summary>
/// <remarks>
/// A hold is only a hint that is checked against the scratch's own state: a hold left by a killed process (the
/// scratch no longer prepared, or gone, or stacked on other layers) does not keep anything busy.
/// </remarks>
internal static class ScratchHolds
{
    public const string FolderName = ".wclayer-holds";

    private const int MaxHoldLength = 64 * 1024;

    /// <summary>Records that <paramref name="scratchFullPath"/> is prepared on <paramref name="layerFullPath"/>.</summary>
    public static void Add(string layerFullPath, string scratchFullPath)
    {
        string folder = Path.Combine(layerFullPath, FolderName);
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, HoldName(scratchFullPath));
        string temporary = file + ".tmp";
        File.WriteAllText(temporary, scratchFullPath, new UTF8Encoding(false));
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>Takes back a hold; nothing to take back is not an error.</summary>
    public static void Remove(string layerFullPath, string scratchFullPath)
    {
        string file = Path.Combine(layerFullPath, FolderName, HoldName(scratchFullPath));
        if (File.Exists(file))
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// The first scratch layer that is prepared on the layer open at <paramref name="layer"/> (whose normalized path is
    /// <paramref name="layerFullPath"/>); <see langword="null"/> if none. Reads through the root: no link is followed.
    /// </summary>
    public static string? FindPreparedHolder(LayerRoot layer, string layerFullPath)
    {
        if (layer.Stat(FolderName) is not { Kind: LayerFileKind.Directory })
        {
            return null;
        }

        foreach ((string name, bool isDirectory) in layer.List(FolderName))
        {
            if (isDirectory || name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                continue;
            }

            string scratch;
            using (FileStream file = layer.OpenFile(FolderName + "/" + name))
            {
                if (file.Length > MaxHoldLength)
                {
                    continue;
                }

                using var reader = new StreamReader(file, Encoding.UTF8);
                scratch = reader.ReadToEnd();
            }

            if (IsPreparedOn(scratch, layerFullPath))
            {
                return scratch;
            }
        }

        return null;
    }

    private static bool IsPreparedOn(string scratch, string layerFullPath)
    {
        if (scratch.Length == 0 || !Path.IsPathFullyQualified(scratch))
        {
            return false;
        }

        try
        {
            return LayerMetadata.TryRead(scratch) is { Kind: LayerKind.Scratch, Prepared: true }
                && LayerChain.Read(scratch).Any(parent => LayerRemoval.Normalize(parent) == layerFullPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // A scratch whose state cannot be read cannot be used either; it keeps nothing busy.
            return false;
        }
    }

    private static string HoldName(string scratchFullPath) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(LayerRemoval.Normalize(scratchFullPath))))[..32];
}
