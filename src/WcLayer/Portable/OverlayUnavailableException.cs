namespace WcLayer.Portable;

/// <summary>overlayfs could not be mounted (no privilege, no kernel support); the store falls back to a copy mode unless overlay was forced.</summary>
internal sealed class OverlayUnavailableException(int errno, string message) : IOException(message)
{
    /// <summary>The errno of the failed call.</summary>
    public int Errno { get; } = errno;
}
