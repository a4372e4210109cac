"""uploads and the association register

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 06:42:18.982093

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


CATEGORIES = [
    ("sport", "Idrott", "Sports"),
    ("culture", "Kultur", "Culture"),
    ("social", "Social verksamhet", "Social work"),
    ("adult_education", "Folkbildning", "Adult education"),
    ("religious", "Trossamfund", "Religious community"),
    ("minority_culture", "Kulturförening för nationell minoritet eller ursprung",
     "Cultural association for a national minority or origin"),
    ("pensioners", "Pensionärer", "Pensioners"),
    ("disability_rights", "Funktionsrätt", "Disability rights"),
    ("environment", "Miljö", "Environment"),
    ("children_youth", "Barn och unga", "Children and young people"),
    ("other", "Övrigt", "Other"),
]

# Västerås stadsdelar and the surrounding localities, as the city groups them in follow-up.
DISTRICTS = [
    "Centrum", "Barkarö", "Bjurhovda", "Bäckby", "Dingtuna", "Erikslund", "Gideonsberg",
    "Hammarby", "Haga", "Hälla", "Irsta", "Kristiansborg", "Kungsängen", "Malmaberg",
    "Pettersberg", "Rocklunda", "Råby", "Rönnby", "Skiljebo", "Skultuna", "Skälby", "Tillberga",
    "Vallby", "Viksäng", "Vetterslund", "Önsta-Gryta", "Hela Västerås",
]

TARGET_GROUPS = [
    ("children", "Barn (0–12 år)", "Children (0–12)"),
    ("youth", "Ungdomar (13–20 år)", "Young people (13–20)"),
    ("young_adults", "Unga vuxna (21–25 år)", "Young adults (21–25)"),
    ("adults", "Vuxna", "Adults"),
    ("seniors", "Seniorer", "Seniors"),
    ("families", "Familjer", "Families"),
    ("disability", "Personer med funktionsnedsättning", "People with disabilities"),
    ("newcomers", "Nyanlända", "Newcomers"),
    ("women", "Kvinnor och flickor", "Women and girls"),
    ("men", "Män och pojkar", "Men and boys"),
    ("lgbtqi", "Hbtqi-personer", "LGBTQI people"),
    ("everyone", "Alla", "Everyone"),
]


def _slug(name):
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", " ": "_", "-": "_"})
    return name.lower().translate(table)


def seed():
    categories = sa.table("association_categories", sa.column("key"), sa.column("name_sv"),
                          sa.column("name_en"), sa.column("sort_order"), sa.column("is_active"))
    op.bulk_insert(categories, [
        {"key": key, "name_sv": sv, "name_en": en, "sort_order": i, "is_active": True}
        for i, (key, sv, en) in enumerate(CATEGORIES)
    ])
    districts = sa.table("districts", sa.column("key"), sa.column("name"),
                         sa.column("sort_order"), sa.column("is_active"))
    op.bulk_insert(districts, [
        {"key": _slug(name), "name": name, "sort_order": i, "is_active": True}
        for i, name in enumerate(DISTRICTS)
    ])
    groups = sa.table("target_groups", sa.column("key"), sa.column("name_sv"),
                      sa.column("name_en"), sa.column("sort_order"), sa.column("is_active"))
    op.bulk_insert(groups, [
        {"key": key, "name_sv": sv, "name_en": en, "sort_order": i, "is_active": True}
        for i, (key, sv, en) in enumerate(TARGET_GROUPS)
    ])
    settings = sa.table("register_settings", sa.column("id"),
                        sa.column("annual_update_due_month"), sa.column("annual_update_due_day"),
                        sa.column("grace_period_days"), sa.column("reminder_days_before"))
    op.bulk_insert(settings, [{"id": 1, "annual_update_due_month": 4, "annual_update_due_day": 30,
                               "grace_period_days": 60, "reminder_days_before": 30}])


def upgrade():
    op.create_table('association_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name_sv', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_association_categories')),
    sa.UniqueConstraint('key', name=op.f('uq_association_categories_key'))
    )
    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('key', name=op.f('uq_districts_key'))
    )
    op.create_table('register_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('annual_update_due_month', sa.Integer(), nullable=False),
    sa.Column('annual_update_due_day', sa.Integer(), nullable=False),
    sa.Column('grace_period_days', sa.Integer(), nullable=False),
    sa.Column('reminder_days_before', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_settings'))
    )
    op.create_table('target_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name_sv', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_groups')),
    sa.UniqueConstraint('key', name=op.f('uq_target_groups_key'))
    )
    op.create_table('associations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('orgnr', sa.String(length=10), nullable=True),
    sa.Column('legal_form', sa.Enum('nonprofit', 'foundation', 'religious', 'economic', 'network', name='legalform', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('street_address', sa.String(length=200), nullable=True),
    sa.Column('postal_code', sa.String(length=6), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('bankgiro', sa.String(length=9), nullable=True),
    sa.Column('plusgiro', sa.String(length=10), nullable=True),
    sa.Column('bank_details_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('has_accessible_premises', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('register_state', sa.Enum('pending', 'registered', 'rejected', 'deregistered', name='registerstate', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deregistered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("orgnr IS NOT NULL OR legal_form = 'network'", name=op.f('ck_associations_orgnr_required')),
    sa.CheckConstraint('founded_year IS NULL OR founded_year BETWEEN 1600 AND 2200', name=op.f('ck_associations_founded_year_range')),
    sa.ForeignKeyConstraint(['category_id'], ['association_categories.id'], name=op.f('fk_associations_category_id_association_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_associations')),
    sa.UniqueConstraint('orgnr', name=op.f('uq_associations_orgnr'))
    )
    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_associations_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_associations_public', ['is_public', 'register_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_associations_register_state'), ['register_state'], unique=False)

    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_stored_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_stored_files_storage_name'))
    )
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_files_sha256'), ['sha256'], unique=False)

    op.create_table('association_districts',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_districts_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_association_districts_district_id_districts'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('association_id', 'district_id', name=op.f('pk_association_districts'))
    )
    with op.batch_alter_table('association_districts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_districts_district_id'), ['district_id'], unique=False)

    op.create_table('association_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.Enum('statutes', 'annual_meeting_minutes', 'activity_report', 'financial_report', 'audit_report', 'equality_policy', name='documenttype', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_documents_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_association_documents_file_id_stored_files'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_association_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_association_documents'))
    )
    with op.batch_alter_table('association_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_documents_association_id'), ['association_id'], unique=False)

    op.create_table('association_languages',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_languages_association_id_associations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('association_id', 'code', name=op.f('pk_association_languages'))
    )
    with op.batch_alter_table('association_languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_languages_code'), ['code'], unique=False)

    op.create_table('association_target_groups',
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('target_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_association_target_groups_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_group_id'], ['target_groups.id'], name=op.f('fk_association_target_groups_target_group_id_target_groups'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('association_id', 'target_group_id', name=op.f('pk_association_target_groups'))
    )
    with op.batch_alter_table('association_target_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_association_target_groups_target_group_id'), ['target_group_id'], unique=False)

    op.create_table('board_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_board_members_association_id_associations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_members'))
    )
    with op.batch_alter_table('board_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_members_association_id'), ['association_id'], unique=False)

    op.create_table('member_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.Enum('0-6', '7-12', '13-20', '21-25', '26-64', '65+', name='ageband', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('gender', sa.Enum('woman', 'man', 'other', 'unknown', name='gender', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_member_counts_count_not_negative')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_member_counts_association_id_associations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_counts')),
    sa.UniqueConstraint('association_id', 'year', 'age_band', 'gender', name=op.f('uq_member_counts_association_id_year_age_band_gender'))
    )
    with op.batch_alter_table('association_members', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_association_members_association_id_associations'), 'associations', ['association_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_cases_association_id_associations'), 'associations', ['association_id'], ['id'], ondelete='RESTRICT')

    seed()


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_association_id_associations'), type_='foreignkey')

    with op.batch_alter_table('association_members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_association_members_association_id_associations'), type_='foreignkey')

    op.drop_table('member_counts')
    with op.batch_alter_table('board_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_members_association_id'))

    op.drop_table('board_members')
    with op.batch_alter_table('association_target_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_target_groups_target_group_id'))

    op.drop_table('association_target_groups')
    with op.batch_alter_table('association_languages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_languages_code'))

    op.drop_table('association_languages')
    with op.batch_alter_table('association_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_documents_association_id'))

    op.drop_table('association_documents')
    with op.batch_alter_table('association_districts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_association_districts_district_id'))

    op.drop_table('association_districts')
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_files_sha256'))

    op.drop_table('stored_files')
    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_associations_register_state'))
        batch_op.drop_index('ix_associations_public')
        batch_op.drop_index(batch_op.f('ix_associations_category_id'))

    op.drop_table('associations')
    op.drop_table('target_groups')
    op.drop_table('register_settings')
    op.drop_table('districts')
    op.drop_table('association_categories')
