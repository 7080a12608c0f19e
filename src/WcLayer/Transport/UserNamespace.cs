namespace WcLayer.Transport;

/// <summary>The Linux user namespace this process runs in.</summary>
internal static class UserNamespace
{
    /// <summary>
    /// Whether it is the machine's own (initial) one, whose root holds every capability; in another one (a rootless
    /// container tool's, <c>unshare --user</c>), root may mount an overlay but not write <c>trusted.*</c> attributes.
    /// </summary>
    /// <remarks>The initial namespace maps every id to itself: its <c>/proc/self/uid_map</c> is the one line <c>0 0 4294967295</c>. Elsewhere than on Linux there are no user namespaces.</remarks>
    public static bool IsInitial { get; } = ReadIsInitial();

    private static bool ReadIsInitial()
    {
        string map;
        try
        {
            map = File.ReadAllText("/proc/self/uid_map");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }

        string[] fields = map.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return fields is ["0", "0", "4294967295"];
    }
}
