package seq

// Generator hands out unique int64 ids. *Snowflake and *Segment implement
// it, and so does any type a shard.Table accepts as its KeyGenerator.
type Generator interface {
	// NextID returns a new id, or an error if none can be handed out.
	NextID() (int64, error)
}

var (
	_ Generator = (*Snowflake)(nil)
	_ Generator = (*Segment)(nil)
)
