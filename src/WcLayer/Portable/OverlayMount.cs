using System.Globalization;
using System.Runtime.InteropServices;
using WcLayer.Transport;
using static Interop.Libc;

namespace WcLayer.Portable;

/// <summary>
/// A scratch layer as an overlayfs mount at <c>&lt;scratch&gt;/mount</c>: the parents' <c>Files/</c> as lower layers
/// (immediate parent first), <c>&lt;scratch&gt;/upper</c> and <c>&lt;scratch&gt;/work</c>. Mounted with the new mount API
/// (<c>fsopen</c>, one <c>fsconfig("lowerdir+")</c> per layer, <c>fsmount</c>, <c>move_mount</c>), so the chain's length is
/// not limited by the one-page option string of <c>mount(2)</c> (the kernel allows 500 lower layers). The mount
/// outlives the process; whether it is there is always asked of the kernel, never of the layer's recorded state, so a
/// reboot or a killed mount or unmount is repaired by the next call.
/// </summary>
internal static class OverlayMount
{
    public const string UpperFolder = "upper";
    private const string WorkFolder = "work";
    private const string EmptyLowerFolder = "lower-empty";

    public static string UpperOf(string scratchPath) => Path.Combine(Path.GetFullPath(scratchPath), UpperFolder);

    /// <summary>Whether something is mounted on the scratch layer's mount directory (its device differs from the folder's).</summary>
    public static bool IsMounted(string scratchPath)
    {
        using LayerRoot scratch = LayerRoot.Open(scratchPath);
        return scratch.Stat(PortableLayerStore.MountFolder) is { IsDirectory: true } mount
            && scratch.Stat(string.Empty) is { } folder
            && (mount.FileId >> 64) != (folder.FileId >> 64);
    }

    /// <summary>Mounts the overlay unless it is mounted already.</summary>
    /// <param name="scratchPath">The scratch layer.</param>
    /// <param name="parents">Its parents, immediate parent first.</param>
    /// <param name="userXattr">
    /// Mount with <c>userxattr</c>: overlayfs keeps its marks in <c>user.overlay.*</c>, as a user namespace must (it
    /// cannot write <c>trusted.*</c>). There is no index then, so a copied-up hard link is one name at a time.
    /// </param>
    /// <exception cref="OverlayUnavailableException">The kernel or the process's privileges do not allow it (the reason is in the message).</exception>
    public static void Mount(string scratchPath, IReadOnlyList<string> parents, bool userXattr)
    {
        if (IsMounted(scratchPath))
        {
            return;
        }

        string scratch = Path.GetFullPath(scratchPath);
        string upper = Path.Combine(scratch, UpperFolder);
        string work = Path.Combine(scratch, WorkFolder);
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(Path.Combine(scratch, PortableLayerStore.MountFolder));
        var lowers = parents.Select(p => Path.Combine(Path.GetFullPath(p), TransportPath.Files)).Where(Directory.Exists).ToList();
        if (lowers.Count == 0)
        {
            // overlayfs needs a lower layer; parents without Files/ contribute nothing.
            string empty = Path.Combine(scratch, EmptyLowerFolder);
            Directory.CreateDirectory(empty);
            lowers.Add(empty);
        }

        // A lazily unmounted instance (detached while a file in it was open) keeps the upper and work directories in
        // use until its last user goes, and with index=on the kernel refuses a second instance meanwhile (EBUSY).
        // Wait a little for it, then mount without the index (hard links then copy up one name at a time; the diff
        // still finds the other names through hardlinks.txt).
        // The index also checks that the parents are the very directories the upper one was first mounted on
        // (ESTALE when a parent was removed and imported again at its path): then too, mount without it.
        for (int attempt = 0; ; attempt++)
        {
            int errno = TryMount(scratch, lowers, upper, work, index: !userXattr && attempt <= BusyRetries, userXattr, out string call);
            if (errno == 0)
            {
                return;
            }

            if (errno == ESTALE && attempt <= BusyRetries)
            {
                attempt = BusyRetries;
                continue;
            }

            if (errno != EBUSY || attempt > BusyRetries)
            {
                throw Unavailable(call, errno);
            }

            Thread.Sleep(BusyRetryDelay);
        }
    }

    private const int BusyRetries = 20;
    private static readonly TimeSpan BusyRetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>One mount attempt; 0, or the errno of the call named in <paramref name="call"/>.</summary>
    private static int TryMount(string scratch, List<string> lowers, string upper, string work, bool index, bool userXattr, out string call)
    {
        call = "fsopen(\"overlay\")";
        int context = fsopen("overlay", FSOPEN_CLOEXEC);
        if (context < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        try
        {
            var options = new List<(string Key, string Value)>(lowers.Select(l => ("lowerdir+", l))) { ("upperdir", upper), ("workdir", work) };
            if (index)
            {
                // Copy-up keeps hard links together (a change to one name shows in all, as on NTFS).
                options.Add(("index", "on"));
            }

            foreach ((string key, string value) in options)
            {
                call = string.Create(CultureInfo.InvariantCulture, $"fsconfig(\"{key}\", \"{value}\")");
                if (fsconfig(context, FSCONFIG_SET_STRING, key, value, 0) != 0)
                {
                    return Marshal.GetLastPInvokeError();
                }
            }

            if (userXattr)
            {
                call = "fsconfig(\"userxattr\")";
                if (fsconfig(context, FSCONFIG_SET_FLAG, "userxattr", null, 0) != 0)
                {
                    return Marshal.GetLastPInvokeError();
                }
            }

            call = "fsconfig(FSCONFIG_CMD_CREATE)";
            if (fsconfig(context, FSCONFIG_CMD_CREATE, null, null, 0) != 0)
            {
                return Marshal.GetLastPInvokeError();
            }

            call = "fsmount";
            int mount = fsmount(context, FSMOUNT_CLOEXEC, 0);
            if (mount < 0)
            {
                return Marshal.GetLastPInvokeError();
            }

            try
            {
                call = "move_mount";
                return move_mount(mount, string.Empty, AT_FDCWD, Path.Combine(scratch, PortableLayerStore.MountFolder), MOVE_MOUNT_F_EMPTY_PATH) != 0
                    ? Marshal.GetLastPInvokeError()
                    : 0;
            }
            finally
            {
                _ = close(mount);
            }
        }
        finally
        {
            _ = close(context);
        }
    }

    /// <summary>Unmounts the overlay if it is mounted; a mount still in use is detached (it goes when its last user does).</summary>
    public static void Unmount(string scratchPath)
    {
        string mount = Path.Combine(Path.GetFullPath(scratchPath), PortableLayerStore.MountFolder);
        if (!IsMounted(scratchPath))
        {
            return;
        }

        if (umount2(mount, 0) == 0)
        {
            return;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == EBUSY && umount2(mount, MNT_DETACH) == 0)
        {
            return;
        }

        errno = errno == EBUSY ? Marshal.GetLastPInvokeError() : errno;
        if (errno != EINVAL)
        {
            throw new HcsException("hcsshim::UnprepareLayer", Win32Error.GenFailure, scratchPath, string.Create(CultureInfo.InvariantCulture, $"(unmounting {mount} failed with errno {errno})"));
        }
    }

    private static OverlayUnavailableException Unavailable(string call, int errno) => new(errno, string.Create(CultureInfo.InvariantCulture,
        $"overlayfs cannot be mounted here: {call} failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}){(errno == EPERM ? "; it needs root (CAP_SYS_ADMIN), of the machine or of a user namespace that owns the mount namespace (unshare --user --map-root-user --mount)" : errno == ENOSYS ? "; the kernel lacks the new mount API (Linux 5.2+; lowerdir+ needs 6.8+)" : string.Empty)}"));
}
