using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using WcLayer.Win32;

namespace WcLayer.Transport;

/// <summary>Copies and links between layer roots (hcsshim's <c>cloneTree</c> and the hard-link step), never following links.</summary>
internal static class LayerCopier
{
    /// <summary>
    /// Clones <paramref name="subPath"/> of <paramref name="source"/> into <paramref name="destination"/>: files become hard
    /// links, while directories, reparse points and the <paramref name="mutated"/> files are copied with their metadata.
    /// </summary>
    public static void CloneTree(LayerRoot source, LayerRoot destination, string subPath, IReadOnlyCollection<string> mutated)
    {
        // Fails on a reparse point anywhere on the path, as hcsshim's EnsureNotReparsePointRelative.
        source.OpenHandle(subPath, directory: true).Dispose();
        var directories = new List<(string Name, FileBasicInfo Info)>();
        Clone(source, destination, subPath, mutated, directories);
        for (int i = directories.Count - 1; i >= 0; i--)
        {
            using SafeFileHandle handle = destination.OpenHandle(directories[i].Name, directory: true, write: true);
            destination.SetBasicInfo(handle, directories[i].Info, destination.Describe(directories[i].Name));
        }
    }

    /// <summary>Creates a hard link; across file systems (where links are impossible) copies instead.</summary>
    public static void LinkOrCopy(LayerRoot source, string sourceName, LayerRoot destination, string destinationName)
    {
        try
        {
            source.Link(sourceName, destination, destinationName);
        }
        catch (LayerPathException e) when (e.ErrorCode == Win32Error.NotSameDevice)
        {
            CopyFile(source, sourceName, destination, destinationName);
        }
    }

    /// <summary>Copies a file's content and its stored Windows metadata.</summary>
    public static void CopyFile(LayerRoot source, string sourceName, LayerRoot destination, string destinationName)
    {
        using FileStream input = source.OpenFile(sourceName);
        using FileStream output = destination.CreateFile(destinationName);
        input.CopyTo(output, 1 << 20);
        source.CopyMetadata(input.SafeFileHandle, destination, output.SafeFileHandle, destination.Describe(destinationName));
    }

    /// <summary>
    /// Whether the entry is a junction or a directory symbolic link: a reparse point that is a directory, listed as
    /// a non-directory (it is never walked into) but opened, created and restored as a directory. Only the Windows
    /// seam has them; elsewhere links are never entries.
    /// </summary>
    internal static bool IsDirectoryReparsePoint(LayerRoot root, string name) =>
        IsWindowsSeam(root) && ((WindowsLayerRoot)root).IsDirectoryReparsePoint(name);

    // Only WindowsLayerRoot keeps reparse points as entries; it runs on Windows (and in the contract tests, against
    // the native double that stands in for kernel32 and ntdll).
    [SupportedOSPlatformGuard("windows")]
    private static bool IsWindowsSeam(LayerRoot root) => root.ReparsePointsAreEntries;

    private static void Clone(LayerRoot source, LayerRoot destination, string directory, IReadOnlyCollection<string> mutated, List<(string, FileBasicInfo)> directories)
    {
        CopyDirectory(source, destination, directory, directories);
        List<(string Name, bool IsDirectory)> children = source.List(directory);
        children.Sort((a, b) => Utf8OrdinalComparer.Instance.Compare(a.Name, b.Name));
        foreach ((string childName, bool isDirectory) in children)
        {
            string name = directory + "\\" + childName;
            if (isDirectory)
            {
                Clone(source, destination, name, mutated, directories);
                continue;
            }

            LayerFileStatus status = source.Stat(name) ?? throw new LayerPathException("stat", source.Describe(name), Win32Error.FileNotFound);
            if (status.Kind == LayerFileKind.SymbolicLink && source.ReparsePointsAreEntries)
            {
                // Windows: a reparse point is copied with its reparse data, never linked nor followed. hcsshim's
                // cloneTree: a junction or directory link is created as a directory, then the backup stream restores
                // the reparse data (and security, EAs); its times are reapplied with the other directories'.
                if (IsDirectoryReparsePoint(source, name))
                {
                    CopyDirectory(source, destination, name, directories);
                }
                else
                {
                    CopyFile(source, name, destination, name);
                }

                continue;
            }

            if (status.Kind != LayerFileKind.File)
            {
                throw new LayerPathException("open", source.Describe(name), Win32Error.ReparsePointEncountered);
            }

            bool isReparsePoint;
            using (SafeFileHandle handle = source.OpenHandle(name, directory: false))
            {
                isReparsePoint = source.GetBasicInfoOrDefault(handle).IsReparsePoint;
            }

            if (isReparsePoint || mutated.Contains(name))
            {
                CopyFile(source, name, destination, name);
            }
            else
            {
                LinkOrCopy(source, name, destination, name);
            }
        }
    }

    /// <summary>Creates the directory in the destination and copies its metadata (hcsshim's <c>copyFileWithMetadata</c> with <c>isDir</c>).</summary>
    private static void CopyDirectory(LayerRoot source, LayerRoot destination, string name, List<(string, FileBasicInfo)> directories)
    {
        using SafeFileHandle handle = source.OpenHandle(name, directory: true);
        FileBasicInfo info = source.GetBasicInfoOrDefault(handle);
        destination.CreateDirectory(name);
        using SafeFileHandle created = destination.OpenHandle(name, directory: true, write: true);
        source.CopyMetadata(handle, destination, created, destination.Describe(name));
        directories.Add((name, info));
    }
}
