namespace WcLayer.Cli;

/// <summary>
/// Words an <see cref="HcsException"/> for a user who is not on Windows: the path and what is wrong with it, without
/// "failed in Win32" and its code (which <c>--verbose</c> still prints with the exception).
/// </summary>
internal static class HcsErrorWords
{
    /// <summary>Describes <paramref name="exception"/> as <c>path: what is wrong</c>.</summary>
    /// <param name="exception">The store's exception.</param>
    /// <returns>One line.</returns>
    public static string Describe(HcsException exception)
    {
        string words = exception.Detail is { Length: > 0 } detail
            ? detail.Trim().TrimStart('(').TrimEnd(')')
            : Words(exception.ErrorCode) ?? exception.SystemMessage.TrimEnd('.');
        return exception.LayerPath is { } path ? $"{path}: {words}" : words;
    }

    private static string? Words(int error) => error switch
    {
        Win32Error.FileNotFound or Win32Error.PathNotFound => "no such file or directory",
        Win32Error.AccessDenied => "permission denied",
        Win32Error.SharingViolation => "in use by another process",
        Win32Error.FileExists or Win32Error.AlreadyExists => "already exists",
        Win32Error.Busy => "in use",
        Win32Error.DirNotEmpty => "directory not empty",
        Win32Error.DiskFull => "no space left on the device",
        _ => null,
    };
}
