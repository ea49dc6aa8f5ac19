"""Counts of the collection kept as drawings change, so that no page counts the drawings table.

The database keeps them itself: triggers on `drawings` and `contributor_sessions` (made by
the migration that made these tables) change them in the same transaction as the rows they
count, whichever code path or SQL statement changes those rows. `crowdsketch doctor`
recounts them and repairs any drift (`crowdsketch.common.tallies`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from crowdsketch.db.models import Base


class DrawingTally(Base):
    """How many drawings have this shape, source, device, flag and quality bin (bin i holds
    quality scores in [i/10, (i+1)/10); bin 9 also holds 1.0)."""

    __tablename__ = "drawing_tallies"

    shape_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    device: Mapped[str] = mapped_column(String(8), primary_key=True)
    flagged: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    quality_bin: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


class DrawingDay(Base):
    """How many drawings of a shape were made on a UTC day."""

    __tablename__ = "drawing_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    shape_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


class CollectionCount(Base):
    """A count of a whole table; today only `contributor_sessions`."""

    __tablename__ = "collection_counts"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)
