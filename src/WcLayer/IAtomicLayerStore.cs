namespace WcLayer;

/// <summary>
/// A store whose layers appear atomically at their path (built elsewhere, then renamed into place): an importer must
/// not create the layer folder first, as hcsshim does for HCS, or a killed import would leave an empty folder there.
/// </summary>
internal interface IAtomicLayerStore;
