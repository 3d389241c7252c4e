"""one submission per student, chapter and content

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # Two identical uploads racing each other must still end up as one submission.
    with op.batch_alter_table("submissions") as batch_op:
        batch_op.create_unique_constraint("uq_submissions_user_chapter_content",
                                          ["user_id", "chapter_id", "content_hash"])


def downgrade():
    with op.batch_alter_table("submissions") as batch_op:
        batch_op.drop_constraint("uq_submissions_user_chapter_content", type_="unique")
