namespace WcLayer.Cli;

/// <summary>Turns an exception into the one-line message a command prints instead of a stack trace.</summary>
internal static class CommandErrors
{
    private const string TarAssembly = "System.Formats.Tar";

    public static string Describe(Exception exception)
    {
        string message = exception switch
        {
            CommandFailedException or UsageException => exception.Message,

            // On Windows HCS's text is the platform's own; elsewhere "failed in Win32" says nothing to the user.
            HcsException hcs when !OperatingSystem.IsWindows() => HcsErrorWords.Describe(hcs),
            FileNotFoundException { FileName: { } file } => $"{file}: no such file",

            // .NET's own messages name the path ("Could not find a part of the path '/x/y'.", "Access to the path '/x' is denied.").
            DirectoryNotFoundException or UnauthorizedAccessException => exception.Message,
            IOException io when StandardStreams.IsBrokenPipe(io) =>
                "the reader of the output stopped before the end (broken pipe): the output is incomplete",
            EndOfStreamException => "Unexpected end of the archive: the tar is truncated.",

            // System.Formats.Tar's own messages ("Unable to parse number.") do not say that the input is not a tar.
            InvalidDataException when exception.Source == TarAssembly => $"Not a valid tar archive: {exception.Message}",
            InvalidDataException or IOException or FormatException => exception.Message,

            // The store says why the operation cannot exist on this platform (NameToGuid, GrantVmAccess, ...).
            PlatformNotSupportedException => exception.Message,

            // Not a problem with the input: name the type so a bug report says what failed.
            _ => $"{exception.GetType().Name}: {exception.Message} (run with --verbose for details)",
        };
        return OneLine(message);
    }

    private static string OneLine(string text) =>
        text.ReplaceLineEndings(" ").Trim();
}
