using WcLayer.Portable;

namespace WcLayer.Tests.Portable;

/// <summary>Unmounts the overlay of every scratch layer in a test's folder, so the folder can be deleted whatever the test's outcome.</summary>
public static class MountCleanup
{
    public static void UnmountAll(string root)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (string folder in Directory.EnumerateDirectories(root))
        {
            if (Directory.Exists(Path.Combine(folder, "mount")) && !File.GetAttributes(folder).HasFlag(FileAttributes.ReparsePoint))
            {
                OverlayMount.Unmount(folder);
            }
        }
    }
}
