namespace WcLayer.Oci;

/// <summary>
/// Names the entry in an I/O failure that happened while it was imported or exported (a full disk, a file the store
/// could not create), so the message says which entry in the user's terms rather than a store-internal path.
/// </summary>
internal static class EntryError
{
    /// <summary>
    /// The exception to throw instead of <paramref name="error"/>, or <see langword="null"/> to let it pass: format
    /// errors already name the entry, cancellations and HCS errors keep their type and text.
    /// </summary>
    public static Exception? Wrap(Exception error, string entry) => error switch
    {
        InvalidDataException or HcsException => null,
        LayerPathException path => new LayerPathException(path.Operation.Length == 0 ? "write" : path.Operation, entry, path.ErrorCode, innerException: path),
        IOException io => new IOException($"{entry}: {io.Message}", io) { HResult = io.HResult },

        // Encoders refuse what Windows cannot hold (an EA value over 64 KiB, a link target over 16 K characters) with
        // ArgumentException: for an imported entry that is bad input, not a caller's mistake.
        ArgumentException argument => new InvalidDataException($"{entry}: {WithoutParameterName(argument)}", argument),
        _ => null,
    };

    private static string WithoutParameterName(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
}
